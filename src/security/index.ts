export { addressKey } from './client-address.js';
export { CsrfGuard, CSRF_FIELD, formField } from './csrf/csrf.guard.js';
export { CookiesBlockedError, CsrfRejectedError } from './csrf/csrf.errors.js';
export type { LoginFlow } from './csrf/login-flow.js';
export { LoginFlowCookie } from './csrf/login-flow.cookie.js';
export { LoginFlowService } from './csrf/login-flow.service.js';
export { configureHttpSecurity } from './http/configure-http-security.js';
export { httpServerOptions, ROUTER_LIMITS } from './http/server-options.js';
export {
  BODY_LIMIT_BYTES,
  MalformedBodyError,
} from './http/strict-body-parsers.js';
export { RateLimit } from './rate-limit/rate-limit.decorator.js';
export { enforceRateLimit } from './rate-limit/rate-limit.guard.js';
export { RateLimitedError } from './rate-limit/rate-limited.error.js';
export {
  RateLimiter,
  type RateLimitPolicy,
} from './rate-limit/rate-limiter.service.js';
export { SecurityModule } from './security.module.js';
