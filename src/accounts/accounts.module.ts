import { Module } from '@nestjs/common';
import { ClockModule } from '../common/index.js';
import { LdapModule } from '../identity/index.js';
import { RocketChatModule } from '../rocketchat/index.js';
import { SessionModule } from '../session/index.js';
import { UsersModule } from '../users/index.js';
import { SourceRecheck } from './source-recheck.service.js';
import { SourceRecheckTask } from './source-recheck.task.js';

/** The re-check itself, without its timer (what `rc-bridge users sync` loads). */
@Module({
  imports: [
    UsersModule,
    SessionModule,
    RocketChatModule,
    LdapModule,
    ClockModule,
  ],
  providers: [SourceRecheck],
  exports: [SourceRecheck, UsersModule],
})
export class SourceRecheckModule {}

/**
 * Bridge users and their Rocket.Chat accounts kept in line with their identity source: the
 * background re-check of signed-in directory people, deprovisioning and reinstatement (through
 * the Rocket.Chat module's AccountStanding), and `rc-bridge users sync` / `users test-login`.
 */
@Module({
  imports: [
    SourceRecheckModule,
    SessionModule,
    RocketChatModule,
    LdapModule,
    ClockModule,
  ],
  providers: [SourceRecheckTask],
  exports: [SourceRecheckTask],
})
export class AccountsModule {}
