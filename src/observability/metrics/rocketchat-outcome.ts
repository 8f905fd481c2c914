import type { RocketChatOutcome } from './metrics.service.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ERR_NETWORK',
]);
const TIMEOUT_CODES = new Set([
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ERR_CANCELED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * The `outcome` label of a Rocket.Chat call: the status class of a response (also when axios
 * threw for it), `timeout`, `network` (refused, reset, DNS), or `error` for anything else.
 */
export function rocketChatOutcome(result: unknown): RocketChatOutcome {
  const status =
    typeof result === 'number'
      ? result
      : (result as { response?: { status?: unknown } } | undefined)?.response
          ?.status;
  if (typeof status === 'number' && status >= 200 && status < 600) {
    return `${Math.floor(status / 100)}xx` as RocketChatOutcome;
  }
  if (typeof result === 'object' && result !== null) {
    const { code, name } = result as { code?: unknown; name?: unknown };
    if (
      (typeof code === 'string' && TIMEOUT_CODES.has(code)) ||
      name === 'TimeoutError' ||
      name === 'AbortError'
    ) {
      return 'timeout';
    }
    const cause = (result as { cause?: { code?: unknown } }).cause?.code;
    if (
      (typeof code === 'string' && NETWORK_CODES.has(code)) ||
      (typeof cause === 'string' && NETWORK_CODES.has(cause))
    ) {
      return 'network';
    }
  }
  return 'error';
}
