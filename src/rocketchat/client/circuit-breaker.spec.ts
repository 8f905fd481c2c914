import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

function breaker() {
  let now = 1_000_000;
  const sut = new CircuitBreaker({
    failures: 3,
    windowMs: 10_000,
    cooldownMs: 30_000,
    now: () => now,
  });
  return { sut, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('should stay closed below the failure threshold', () => {
    const { sut } = breaker();
    sut.failure();
    sut.failure();
    expect(sut.state).toBe('closed');
    expect(sut.admit()).toEqual({ allowed: true, probe: false });
  });

  it('should open after the threshold within the window and fail fast with a retry hint', () => {
    const { sut, advance } = breaker();
    sut.failure();
    sut.failure();
    sut.failure();
    expect(sut.state).toBe('open');
    advance(5000);
    expect(sut.admit()).toEqual({ allowed: false, retryAfterMs: 25_000 });
  });

  it('should forget failures older than the window', () => {
    const { sut, advance } = breaker();
    sut.failure();
    sut.failure();
    advance(10_001);
    sut.failure();
    expect(sut.state).toBe('closed');
  });

  it('should let exactly one probe through after the cool-down and close on its success', () => {
    const { sut, advance } = breaker();
    sut.failure();
    sut.failure();
    sut.failure();
    advance(30_000);
    expect(sut.admit()).toEqual({ allowed: true, probe: true });
    expect(sut.admit().allowed).toBe(false);
    sut.success();
    expect(sut.state).toBe('closed');
    expect(sut.admit()).toEqual({ allowed: true, probe: false });
  });

  it('should re-open for a full cool-down when the probe fails', () => {
    const { sut, advance } = breaker();
    sut.failure();
    sut.failure();
    sut.failure();
    advance(30_000);
    sut.admit();
    sut.failure();
    expect(sut.state).toBe('open');
    advance(29_000);
    expect(sut.admit().allowed).toBe(false);
    advance(1000);
    expect(sut.admit()).toEqual({ allowed: true, probe: true });
  });

  it('should free the probe slot when a probe ends without a verdict', () => {
    const { sut, advance } = breaker();
    sut.failure();
    sut.failure();
    sut.failure();
    advance(30_000);
    sut.admit();
    sut.release();
    expect(sut.admit()).toEqual({ allowed: true, probe: true });
  });
});
