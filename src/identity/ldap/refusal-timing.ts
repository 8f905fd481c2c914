import { randomInt } from 'node:crypto';
import type { LdapRefusal } from './ldap-results.js';

const SAMPLES = 64;

/**
 * Refusals that depend on who the person is. Refusals of the input itself (empty password, a
 * name or password longer than any real one) say nothing about anybody and are not padded.
 */
const PADDED: ReadonlySet<LdapRefusal> = new Set<LdapRefusal>([
  'unknown-user',
  'ambiguous-user',
  'disabled',
  'wrong-password',
  'locked',
  'password-expired',
  'account-expired',
  'must-change-password',
  'logon-restricted',
  'not-in-group',
]);

export function isPaddedRefusal(refusal: LdapRefusal): boolean {
  return PADDED.has(refusal);
}

/**
 * Makes every refused directory sign-in take about as long as one that bound as the person: an
 * unknown name (a search, no bind) would otherwise answer several times faster than a wrong
 * password (a search, a new TLS connection and a bind), and a right password of someone outside
 * LDAP_REQUIRED_GROUP (one more search) slower. It remembers how long recent refusals that bound
 * took, from the start of the sign-in to the verdict, and each refusal waits until one of those
 * durations, picked at random, has passed. So the answers follow the real distribution, load and
 * network included.
 */
export class RefusalTiming {
  private readonly samples: number[] = [];
  private cursor = 0;

  /** A refusal that bound as the person (or stood in for it) took this long. */
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

  /** How long a refusal should take, or undefined before any bind was timed. */
  target(): number | undefined {
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
