export {
  BoundedLogStream,
  LOG_BUFFER_BYTES,
  droppedLogLines,
  flushOutput,
} from './bounded-log-stream.js';
export { Logging, flushLogs, type CreateLoggingOptions } from './logging.js';
export {
  REDACTED,
  SecretList,
  collectSecrets,
  escapeControlCharacters,
  sanitizeLogValue,
  scrubString,
  serializeError,
  type SafeError,
} from './log-sanitizer.js';
export { PinoNestLogger } from './pino-nest-logger.js';
export { currentRequestId, requestContext } from './request-context.js';
export {
  REQUEST_ID_HEADER,
  isSafeRequestId,
  requestIdFor,
} from './request-id.js';
export {
  UNMATCHED_ROUTE,
  isProbeRoute,
  pathOf,
  routeLabel,
} from './route-label.js';
