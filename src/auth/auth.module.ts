import { Module } from '@nestjs/common';
import { SecurityModule } from '../security/security.module.js';
import { SessionModule } from '../session/session.module.js';
import { LOGIN_CONTROLLERS, LOGIN_PROVIDERS } from './login/index.js';
import { FirstUserModule } from './users/first-user.module.js';
import { UsersModule } from './users/users.module.js';

/**
 * Bridge users, credential checks and the login page. Exports `CredentialsService` and
 * `UsersRepository` (through UsersModule, which the admin CLI loads on its own).
 */
@Module({
  imports: [UsersModule, FirstUserModule, SessionModule, SecurityModule],
  controllers: LOGIN_CONTROLLERS,
  providers: LOGIN_PROVIDERS,
  exports: [UsersModule],
})
export class AuthModule {}
