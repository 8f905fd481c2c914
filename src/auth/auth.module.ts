import { Module } from '@nestjs/common';
import { UsersModule } from './users/users.module.js';

/**
 * Bridge users, credential checks and the login page. Exports `CredentialsService` and
 * `UsersRepository` (through UsersModule, which the admin CLI loads on its own).
 */
@Module({
  imports: [UsersModule],
  exports: [UsersModule],
})
export class AuthModule {}
