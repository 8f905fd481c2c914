import { describe, expect, it } from 'vitest';
import {
  allowedInWindow,
  carriedOver,
  retryAfterMs,
  windowAt,
} from './sliding-window.js';

const MINUTE = 60_000;

describe('sliding windows', () => {
  it('should place a time in its window', () => {
    expect(windowAt(10 * MINUTE + 15_000, MINUTE)).toEqual({
      index: 10,
      startMs: 10 * MINUTE,
      endMs: 11 * MINUTE,
      fraction: 0.25,
    });
  });

  it('should carry the whole previous window over at a boundary and nothing at its end', () => {
    expect(carriedOver(7, 0)).toBe(7);
    expect(carriedOver(7, 1e-7)).toBe(7);
    expect(carriedOver(4, 0.5)).toBe(2);
    expect(carriedOver(5, 0.5)).toBe(3); // rounded up: never forgets a half-counted event
    expect(carriedOver(7, 0.999_999)).toBe(1);
    expect(carriedOver(0, 0.3)).toBe(0);
  });

  it('should let a burst just before a boundary count whole just after it', () => {
    // 5 events at the very end of a window, limit 5: nothing more right after the boundary.
    expect(allowedInWindow(5, 5, 0.001)).toBe(0);
    expect(allowedInWindow(5, 5, 0.5)).toBe(2);
    expect(allowedInWindow(5, 5, 0.99)).toBe(4);
    expect(allowedInWindow(5, 0, 0)).toBe(5);
  });

  it('should tell when one more is allowed, at least a second ahead', () => {
    const start = 100 * MINUTE;
    // The previous window held 4 (limit 4), this one has 0: one more once a quarter has faded.
    expect(retryAfterMs(4, 4, 0, start, MINUTE)).toBe(15_000);
    // This window is full (4 of 4): the next window, once a quarter of these has faded.
    expect(retryAfterMs(4, 0, 4, start + 30_000, MINUTE)).toBe(30_000 + 15_000);
    // Limit 1, one event now: a whole window plus the rest of this one.
    expect(retryAfterMs(1, 0, 1, start, MINUTE)).toBe(2 * MINUTE);
    expect(
      retryAfterMs(3, 3, 0, start + 59_999, MINUTE),
    ).toBeGreaterThanOrEqual(1000);
  });
});
