export {
  BACKCHANNEL_LOGOUT_EVENT,
  BackchannelLogoutService,
  JWKS_REFETCH_COOLDOWN_MS,
  type BackchannelLogoutRequest,
} from './backchannel-logout.service.js';
export { IdTokenSealer, IdTokenUnsealError } from './id-token-sealer.js';
export { CLOCK_TOLERANCE_SECONDS, OidcClock } from './oidc-clock.js';
export { OidcDiscovery } from './oidc-discovery.service.js';
export {
  OidcDoctorProbes,
  type OidcProbeResult,
} from './oidc-doctor-probes.service.js';
export {
  OidcEndSessionService,
  type EndSessionInput,
} from './oidc-end-session.service.js';
export {
  OidcLoginService,
  type BeginLoginInput,
  type BeginLoginResult,
  type FinishLoginInput,
  type OidcLoginResult,
} from './oidc-login.service.js';
export { OidcModule } from './oidc.module.js';
export { OidcSweeper } from './oidc-sweeper.service.js';
export * from './oidc.errors.js';
