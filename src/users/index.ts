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
