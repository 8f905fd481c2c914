export { ThrottleStoreUnavailableError } from './throttle.errors.js';
export { ThrottleModule } from './throttle.module.js';
export { ThrottleRepository } from './throttle.repository.js';
export {
  LOCK_ESCALATION_MEMORY_MS,
  ThrottleSubjects,
  type AccountState,
} from './throttle-subjects.service.js';
export { ThrottleSweeper } from './throttle-sweeper.service.js';
export {
  WindowCounter,
  type Claim,
  type CounterSpec,
} from './window-counter.service.js';
