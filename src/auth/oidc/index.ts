import { BackchannelLogoutController } from './backchannel-logout.controller.js';
import { OidcLoginController } from './oidc-login.controller.js';
import { OidcLoginFilter } from './oidc-login.filter.js';
import { OidcSignIn } from './oidc-sign-in.service.js';
import { ProviderLogout } from './provider-logout.service.js';

/** Wired into AuthModule.forRoot when OpenID providers are configured (with OidcModule). */
export const OIDC_CONTROLLERS = [
  OidcLoginController,
  BackchannelLogoutController,
];
export const OIDC_PROVIDERS = [OidcSignIn, OidcLoginFilter, ProviderLogout];
