import { availableParallelism } from 'node:os';

/**
 * At most `size` password hash computations at once; the others wait their turn (in order).
 * argon2id and PBKDF2 run on libuv's thread pool (4 threads by default, whatever the machine):
 * on a small machine a login storm would otherwise keep every core busy hashing and starve the
 * event loop, so every other request (the login page, the API URL, health probes) would wait.
 * Hashing throughput does not suffer: with a core per hash the cores are busy anyway.
 */
export class HashSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new Error('HashSlots needs a positive whole size');
    }
  }

  /** Hashes running now (for tests and diagnostics). */
  get running(): number {
    return this.active;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.size) {
      this.active += 1;
    } else {
      // The slot is handed over by the finishing task, so `active` stays as it is.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) {
        next();
      } else {
        this.active -= 1;
      }
    }
  }
}

/** One core stays free for the event loop; a one-core machine still hashes. */
export function defaultHashSlots(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}
