export type { BridgeUser } from './bridge-user.js';
export {
  CredentialsService,
  type AuthenticatedUser,
} from './credentials.service.js';
export { UserAdminService } from './user-admin.service.js';
export { UsersModule } from './users.module.js';
export { UsersRepository } from './users.repository.js';
export {
  InvalidUserFieldError,
  PasswordPolicyError,
  UserNotFoundError,
  UsernameTakenError,
  UserStoreUnavailableError,
} from './users.errors.js';
export { usersCommandGroup } from './cli/users.commands.js';
export { PasswordHasher } from './passwords/password-hasher.service.js';
export { PasswordsModule } from './passwords/passwords.module.js';
export { parseUsername } from './user-fields.js';
export { FirstUserModule } from './first-user.module.js';
