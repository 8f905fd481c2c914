import { availableParallelism } from 'node:os';
import pLimit, { type LimitFunction } from 'p-limit';

/**
 * At most `size` password hash computations at once; the others wait their turn (in order).
 * argon2id and PBKDF2 run on libuv's thread pool (4 threads by default, whatever the machine):
 * on a small machine a login storm would otherwise keep every core busy hashing and starve the
 * event loop, so every other request (the login page, the API URL, health probes) would wait.
 * Hashing throughput does not suffer: with a core per hash the cores are busy anyway.
 * The queue is p-limit's, unbounded as before: logins are bounded before they get here (auth's
 * PasswordCheckGate, which refuses beyond its queue).
 */
export class HashSlots {
  private readonly limit: LimitFunction;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new Error('HashSlots needs a positive whole size');
    }
    this.limit = pLimit(size);
  }

  /** Hashes running now (for tests and diagnostics). */
  get running(): number {
    return this.limit.activeCount;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    return this.limit(task);
  }
}

/** One core stays free for the event loop; a one-core machine still hashes. */
export function defaultHashSlots(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}
