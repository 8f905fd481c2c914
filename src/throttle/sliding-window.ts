/**
 * The arithmetic of the sliding windows every throttle counts in. Time is cut into fixed windows;
 * what counts "now" is the current window's count plus the part of the previous window's count
 * that the window sliding back over it still covers (`previous × (1 − elapsed fraction)`), rounded
 * up: a burst just before a boundary is never forgotten at the boundary, and a limit is never
 * exceeded within any span of one window length by more than that rounding.
 */

export interface WindowPosition {
  /** floor(now / windowMs): the window's number since the epoch. */
  readonly index: number;
  readonly startMs: number;
  readonly endMs: number;
  /** How far into the window `now` is, from 0 (inclusive) to 1 (exclusive). */
  readonly fraction: number;
}

/** Float noise must not turn an exact 2 into 3 when rounding up. */
const EPSILON = 1e-9;

export function windowAt(nowMs: number, windowMs: number): WindowPosition {
  const index = Math.floor(nowMs / windowMs);
  const startMs = index * windowMs;
  return {
    index,
    startMs,
    endMs: startMs + windowMs,
    fraction: (nowMs - startMs) / windowMs,
  };
}

/** What still counts of the previous window's `previousCount` at `fraction` into this one. */
export function carriedOver(previousCount: number, fraction: number): number {
  return Math.max(0, Math.ceil(previousCount * (1 - fraction) - EPSILON));
}

/** How many the current window may hold at this moment (grows as the previous window fades). */
export function allowedInWindow(
  limit: number,
  previousCount: number,
  fraction: number,
): number {
  return Math.max(0, limit - carriedOver(previousCount, fraction));
}

/**
 * Milliseconds until one more would be allowed, if nothing else arrives: later in this window,
 * once enough of the previous window has faded, or else in the next one, once enough of this
 * window has. At least one second (the unit of Retry-After).
 */
export function retryAfterMs(
  limit: number,
  previousCount: number,
  currentCount: number,
  nowMs: number,
  windowMs: number,
): number {
  const position = windowAt(nowMs, windowMs);
  const room = limit - currentCount - 1;
  let at: number;
  if (room >= 0 && previousCount > 0) {
    at = position.startMs + windowMs * (1 - room / previousCount);
  } else {
    at = position.endMs;
  }
  if (at >= position.endMs || room < 0) {
    const fade =
      currentCount > 0 ? Math.max(0, 1 - (limit - 1) / currentCount) : 0;
    at = position.endMs + windowMs * fade;
  }
  return Math.max(1000, Math.ceil(at - nowMs));
}
