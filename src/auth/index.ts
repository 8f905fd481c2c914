export { AuthModule } from './auth.module.js';
export { locksCommandGroup } from './cli/locks.commands.js';
export { InvalidCredentialsError } from './login/login.errors.js';
export { DEFAULT_NEXT, safeNext } from './login/next-target.js';
export {
  LoginBusyError,
  TooManyLoginAttemptsError,
} from './protection/login-protection.errors.js';
export { LockoutModule } from './protection/lockout.module.js';
export { DeviceCookie } from './protection/device-cookie.js';
export { AccountLockedEvent } from './events/account-locked.event.js';
export { LoggedOutEvent } from './events/logged-out.event.js';
export {
  LoginAttemptedEvent,
  type LoginOutcome,
} from './events/login-attempted.event.js';
export type { LoginClient } from './events/login-client.js';
export {
  NO_LINKING,
  PersonSignIn,
  profileOf,
  SignInRefusedError,
  type LinkPolicy,
  type SignInRefusal,
} from './sign-in/index.js';
export {
  DirectoryUnavailableError,
  PasswordSources,
} from './password/index.js';
