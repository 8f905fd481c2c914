import { type DynamicModule, Module } from '@nestjs/common';
import { ClockModule } from '../common/index.js';
import type { AllConfig } from '../config/index.js';
import { LdapModule, OidcModule } from '../identity/index.js';
import { SecurityModule } from '../security/index.js';
import { SessionModule } from '../session/index.js';
import {
  FirstUserModule,
  PasswordsModule,
  UsersModule,
} from '../users/index.js';
import { WebModule } from '../web/index.js';
import { LoginAuditListener } from './listeners/login-audit.listener.js';
import { LoginMetricsListener } from './listeners/login-metrics.listener.js';
import { SignInAuditListener } from './listeners/sign-in-audit.listener.js';
import { LOGIN_CONTROLLERS, LOGIN_PROVIDERS } from './login/index.js';
import { PASSWORD_PROVIDERS } from './password/index.js';
import { DeviceCookie } from './protection/device-cookie.js';
import { DeviceTokens } from './protection/device-tokens.js';
import { OIDC_CONTROLLERS, OIDC_PROVIDERS } from './oidc/index.js';
import { LoginProtection } from './protection/login-protection.service.js';
import { LockoutModule } from './protection/lockout.module.js';
import { PersonSignIn } from './sign-in/person-sign-in.service.js';
import { TrustedHeaderSignIn } from './trusted-header/trusted-header-sign-in.service.js';

/**
 * The sign-in decision: the login and logout pages (passport-local for the form's credentials),
 * and the brute-force protection around every password check (device cookies, address budget,
 * concurrency cap, account lockout). A successful login starts a session (SessionModule); users and their
 * passwords are UsersModule's. What happens is announced as events (auth/events/); the audit
 * trail and the login metric listen (auth/listeners/). Identity sources outside the bridge: a
 * trusted proxy header (always wired, off unless configured) and, through forRoot, OpenID
 * providers.
 */
@Module({
  imports: [
    UsersModule,
    PasswordsModule,
    SessionModule,
    SecurityModule,
    WebModule,
    LockoutModule,
    FirstUserModule,
    ClockModule,
    // The directory, a password source of the login form (inert without LDAP_URL).
    LdapModule,
  ],
  controllers: LOGIN_CONTROLLERS,
  providers: [
    ...LOGIN_PROVIDERS,
    ...PASSWORD_PROVIDERS,
    LoginProtection,
    PersonSignIn,
    DeviceTokens,
    DeviceCookie,
    TrustedHeaderSignIn,
    LoginAuditListener,
    LoginMetricsListener,
    SignInAuditListener,
  ],
})
export class AuthModule {
  /**
   * With OpenID providers configured, their routes under /login/oidc and the relying party
   * (OidcModule, imported only then: nothing of it runs, not even its sweep, without a provider).
   */
  static forRoot(config: Pick<AllConfig, 'oidc'>): DynamicModule {
    if (config.oidc.providers.length === 0) {
      return { module: AuthModule };
    }
    return {
      module: AuthModule,
      imports: [OidcModule],
      controllers: OIDC_CONTROLLERS,
      providers: OIDC_PROVIDERS,
    };
  }
}
