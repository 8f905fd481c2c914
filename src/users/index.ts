export type {
  BridgeUser,
  NewExternalUser,
  SourceProfile,
} from './bridge-user.js';
export { LOCAL_SOURCE } from './user-document.js';
export { UserIdentitiesRepository } from './user-identities.repository.js';
export {
  CredentialsService,
  toAuthenticated,
  type AuthenticatedUser,
} from './credentials.service.js';
export { UserAdminService } from './user-admin.service.js';
export { UsersModule } from './users.module.js';
export { UsersRepository } from './users.repository.js';
export {
  GroupsFromSourceError,
  InvalidUserFieldError,
  PasswordPolicyError,
  UserNotFoundError,
  UsernameTakenError,
  UserStoreUnavailableError,
} from './users.errors.js';
export { usersCommandGroup } from './cli/users.commands.js';
export { PasswordHasher } from './passwords/password-hasher.service.js';
export { PasswordsModule } from './passwords/passwords.module.js';
export { parseDisplayName, parseEmail, parseUsername } from './user-fields.js';
export { FirstUserModule } from './first-user.module.js';
