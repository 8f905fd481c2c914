export { addressKey } from './client-address.js';
export { configureHttpSecurity } from './http/configure-http-security.js';
export {
  pageContentSecurityPolicy,
  logoImageSources,
} from '../web/content-security-policy.js';
export { httpServerOptions, ROUTER_LIMITS } from './http/server-options.js';
export {
  BODY_LIMIT_BYTES,
  MalformedBodyError,
} from './http/strict-body-parsers.js';
export {
  LoginBusyError,
  TooManyLoginAttemptsError,
} from '../auth/protection/login-protection.errors.js';
export { LoginProtection } from '../auth/protection/login-protection.service.js';
export { RateLimit } from './rate-limit/rate-limit.decorator.js';
export { RateLimitedError } from './rate-limit/rate-limited.error.js';
export {
  RateLimiter,
  type RateLimitPolicy,
} from './rate-limit/rate-limiter.service.js';
export { SecurityModule } from './security.module.js';
export { ThrottleStoreUnavailableError } from '../throttle/throttle.errors.js';
export { ThrottleModule } from '../throttle/throttle.module.js';
