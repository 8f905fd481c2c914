import { randomInt } from 'node:crypto';

const SAMPLES = 64;

/**
 * The last 64 durations of something, and one of them picked at random: what a refusal waits for
 * so that its timing follows the real distribution of the slower answer it stands in for (load and
 * network included), without doing that work. Used for locked accounts (auth) and for directory
 * refusals that did not bind (identity/ldap).
 */
export class DurationSamples {
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

  /** A recorded duration picked at random, or undefined before any was recorded. */
  pick(): number | undefined {
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
