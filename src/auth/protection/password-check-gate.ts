import { LoginBusyError } from './login-protection.errors.js';

/** A waiting check gives up after this long (the queue should drain in well under a second). */
const MAX_WAIT_MS = 10_000;

interface Waiter {
  readonly resolve: () => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Caps the password checks (hash computations) running at once, so a login storm cannot take
 * every CPU core and libuv thread (hashing shares libuv's pool with file and DNS work): at most
 * `concurrency` run, at most `queue` wait their turn in order, and anything beyond is refused at
 * once with LoginBusyError (503), costing no hashing at all.
 */
export class PasswordCheckGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queue: number,
  ) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `check` when a slot is free; throws LoginBusyError when the queue is full or too slow. */
  async run<T>(check: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await check();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.queue) {
      return Promise.reject(new LoginBusyError());
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          const index = this.waiting.indexOf(waiter);
          if (index !== -1) {
            this.waiting.splice(index, 1);
            reject(new LoginBusyError());
          }
        }, MAX_WAIT_MS),
      };
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      // The slot passes straight to the next waiter: `running` stays the same.
      clearTimeout(next.timer);
      next.resolve();
      return;
    }
    this.running -= 1;
  }
}
