import { randomInt } from 'node:crypto';

const SAMPLES = 64;

/**
 * Makes a refused attempt (a locked account) take as long as a real failed check: it remembers
 * how long recent failed checks took, from the moment the account was found unlocked to the
 * verdict (waiting for a check slot, counting, hashing), and a refusal waits for one of those
 * durations picked at random. So the refusal's timing follows the real distribution, load
 * included, without spending a hash computation.
 */
export class TimingEqualizer {
  private readonly samples: number[] = [];
  private cursor = 0;

  record(durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) {
      return;
    }
    if (this.samples.length < SAMPLES) {
      this.samples.push(durationMs);
    } else {
      this.samples[this.cursor] = durationMs;
      this.cursor = (this.cursor + 1) % SAMPLES;
    }
  }

  /** A recent failed check's duration, or undefined before any was recorded. */
  sample(): number | undefined {
    return this.samples.length === 0
      ? undefined
      : this.samples[randomInt(this.samples.length)];
  }

  get size(): number {
    return this.samples.length;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
