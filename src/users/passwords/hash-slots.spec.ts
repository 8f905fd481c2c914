import { describe, expect, it } from 'vitest';
import { defaultHashSlots, HashSlots } from './hash-slots.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('HashSlots', () => {
  it('should run at most `size` tasks at once and start the waiting ones in order', async () => {
    const slots = new HashSlots(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const done = gates.map((gate, i) =>
      slots.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(slots.running).toBe(2);
    gates[1].resolve();
    await done[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    expect(slots.running).toBe(2);
    for (const gate of gates) {
      gate.resolve();
    }
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3]);
    expect(slots.running).toBe(0);
  });

  it('should free the slot when a task fails', async () => {
    const slots = new HashSlots(1);
    await expect(
      slots.run(() => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(await slots.run(() => Promise.resolve('next'))).toBe('next');
    expect(slots.running).toBe(0);
  });

  it('should turn a task that throws before returning a promise into a rejection, and free its slot', async () => {
    const slots = new HashSlots(1);
    await expect(
      slots.run(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(slots.running).toBe(0);
    expect(await slots.run(() => Promise.resolve('next'))).toBe('next');
  });

  it('should leave one core to the event loop, and hash on a one-core machine', () => {
    expect(defaultHashSlots(1)).toBe(1);
    expect(defaultHashSlots(2)).toBe(1);
    expect(defaultHashSlots(8)).toBe(7);
    expect(() => new HashSlots(0)).toThrow('positive whole size');
  });
});
