import { describe, expect, it } from 'vitest';
import { DurationSamples } from './duration-samples.js';

describe('DurationSamples', () => {
  it('should pick nothing before a duration is recorded, and ignore ones that are not durations', () => {
    const samples = new DurationSamples();
    samples.record(Number.NaN);
    samples.record(-1);
    samples.record(Number.POSITIVE_INFINITY);
    expect(samples.size).toBe(0);
    expect(samples.pick()).toBeUndefined();
  });

  it('should keep the last 64 durations and pick only among them', () => {
    const samples = new DurationSamples();
    for (let ms = 0; ms < 100; ms += 1) {
      samples.record(ms);
    }
    expect(samples.size).toBe(64);
    const picked = new Set(Array.from({ length: 2000 }, () => samples.pick()));
    // 36..99 are the last 64; over 2,000 picks every one shows up and nothing older does.
    expect([...picked].toSorted((a, b) => a! - b!)).toEqual(
      Array.from({ length: 64 }, (_, i) => 36 + i),
    );
  });
});
