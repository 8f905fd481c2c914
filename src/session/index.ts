export { SessionStoreUnavailableError } from './errors/session-store-unavailable.error.js';
export {
  SessionEndedEvent,
  type SessionEndReason,
} from './events/session-ended.event.js';
export type { ProviderSession, Session } from './session.js';
export { SessionCookies } from './session-cookies.js';
export { SessionLifecycle } from './session-lifecycle.service.js';
export { SessionModule } from './session.module.js';
export { SessionService } from './session.service.js';
export { SessionSourceChecks } from './session-source-checks.service.js';
export {
  SessionUserCheck,
  type SessionUserVerdict,
} from './session-user-check.service.js';
export { SessionStoreUnavailableFilter } from './filters/session-store-unavailable.filter.js';
