import { DirectorySignIn } from './directory-sign-in.service.js';
import { PasswordSources } from './password-sources.service.js';

export {
  DirectoryCheckFailedError,
  DirectorySignIn,
} from './directory-sign-in.service.js';
export {
  DirectoryUnavailableError,
  PasswordSources,
} from './password-sources.service.js';

/** Wired into AuthModule (with LdapModule). */
export const PASSWORD_PROVIDERS = [PasswordSources, DirectorySignIn];
