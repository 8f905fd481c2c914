import { describe, expect, it } from 'vitest';
import { LoginBusyError } from './login-protection.errors.js';
import { PasswordCheckGate } from './password-check-gate.js';

/** A check that finishes when the test says so. */
function deferred(): {
  promise: Promise<string>;
  finish: (value: string) => void;
} {
  let finish!: (value: string) => void;
  const promise = new Promise<string>((resolve) => {
    finish = resolve;
  });
  return { promise, finish };
}

describe('PasswordCheckGate', () => {
  it('should run at most `concurrency` checks, queue the next ones in order and refuse beyond the queue at once', async () => {
    const gate = new PasswordCheckGate(2, 2);
    const checks = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = checks.map((check, i) =>
      gate.run(() => {
        started.push(i);
        return check.promise;
      }),
    );
    await expect(gate.run(() => Promise.resolve('x'))).rejects.toBeInstanceOf(
      LoginBusyError,
    );
    await Promise.resolve();
    expect({ started, active: gate.active, queued: gate.queued }).toEqual({
      started: [0, 1],
      active: 2,
      queued: 2,
    });
    checks[1].finish('b');
    expect(await runs[1]).toBe('b');
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const [i, check] of checks.entries()) {
      check.finish(String(i));
    }
    expect(await Promise.all(runs)).toEqual(['0', 'b', '2', '3']);
    expect({ active: gate.active, queued: gate.queued }).toEqual({
      active: 0,
      queued: 0,
    });
  });

  it('should free its slot when a check fails', async () => {
    const gate = new PasswordCheckGate(1, 0);
    await expect(
      gate.run(() => Promise.reject(new Error('store down'))),
    ).rejects.toThrow('store down');
    expect(await gate.run(() => Promise.resolve('ok'))).toBe('ok');
    expect(gate.active).toBe(0);
  });
});
