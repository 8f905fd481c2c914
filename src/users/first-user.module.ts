import { Module } from '@nestjs/common';
import { FirstUser } from './first-user.service.js';
import { UsersModule } from './users.module.js';

/** The service's first-start check for users; not part of UsersModule, which the CLI loads too. */
@Module({
  imports: [UsersModule],
  providers: [FirstUser],
})
export class FirstUserModule {}
