export { BoundedMemo } from '../common/bounded-memo.js';
export { Clock } from '../common/clock.js';
export { ClockModule } from '../common/clock.module.js';
export { CsrfGuard, CSRF_FIELD, formField } from '../security/csrf/csrf.guard.js';
export { CookiesBlockedError, CsrfRejectedError } from '../security/csrf/csrf.errors.js';
export type { LoginFlow } from '../security/csrf/login-flow.js';
export { LoginFlowService } from '../security/csrf/login-flow.service.js';
export { SessionStoreUnavailableError } from './errors/session-store-unavailable.error.js';
export {
  SessionLoggedOutEvent,
  type SessionEndReason,
} from './events/session-logged-out.event.js';
export {
  UNAVAILABLE_PAGE,
  acceptsHtml,
} from './filters/session-store-unavailable.filter.js';
export type { Session } from './session.js';
export { SessionModule } from './session.module.js';
export { SessionService } from './session.service.js';
export {
  SessionUserCheck,
  type SessionUserVerdict,
} from './session-user-check.service.js';
export { FRAMEABLE_ROUTE_CONFIG, Frameable } from '../web/frame-policy.js';
export { PageResponder } from '../web/page-responder.service.js';
export { configureWebPlatform } from '../web/web-platform.js';
