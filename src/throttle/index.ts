export { ThrottleStoreUnavailableError } from './throttle.errors.js';
export { ThrottleModule } from './throttle.module.js';
export type { ThrottleKind, ThrottleRecord } from './throttle.schema.js';
export {
  ThrottleStore,
  type CounterWindow,
  type LockHistory,
  type ThrottleLabel,
} from './throttle.store.js';
export { ThrottleSweeper } from './throttle-sweeper.service.js';
