import { vi } from 'vitest';
import { Clock } from '../../src/common/index.js';

export interface FakeClock {
  now(): number;
  advance(ms: number): void;
}

/**
 * Stops the application's Clock (sessions, throttling, the Rocket.Chat token lifecycle and circuit
 * breaker) at `start` until the test moves it: time windows are then decided by the test, not by
 * how busy the machine is. Undone after each test (restoreMocks). Start it after creating users
 * and logging them in: a session older than its user's password (stored in real time) has ended.
 */
export function fakeClock(start = Date.now()): FakeClock {
  let now = start;
  vi.spyOn(Clock.prototype, 'now').mockImplementation(() => now);
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}
