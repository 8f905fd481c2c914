import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  BoundedLogStream,
  droppedLogLines,
  flushOutput,
} from './bounded-log-stream.js';

/** A Writable whose reader takes nothing until `release()`: a stalled log pipe. */
function stalledOutput(): Writable & { taken: string[]; release(): void } {
  const pending: (() => void)[] = [];
  let released = false;
  const taken: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      taken.push(chunk.toString());
      if (released) {
        done();
      } else {
        pending.push(done);
      }
    },
  });
  return Object.assign(out, {
    taken,
    release() {
      released = true;
      for (const done of pending.splice(0)) {
        done();
      }
    },
  });
}

describe('BoundedLogStream', () => {
  it('should queue lines up to its bound, then drop and count them instead of growing', () => {
    const out = stalledOutput();
    const stream = new BoundedLogStream(out, 1000);
    const before = droppedLogLines();
    const line = `${'x'.repeat(99)}\n`;
    for (let i = 0; i < 50; i++) {
      stream.write(line);
    }
    // 10 lines of 100 fit in 1000 bytes; the other 40 were dropped, none blocked.
    expect(out.writableLength).toBe(1000);
    expect(droppedLogLines() - before).toBe(40);
    out.release();
    expect(out.writableLength).toBe(0);
    stream.write(line);
    expect(droppedLogLines() - before).toBe(40);
  });

  it('should drop, not throw, once the output failed (the reader is gone)', () => {
    const out = new Writable({
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const stream = new BoundedLogStream(out, 1000);
    const before = droppedLogLines();
    stream.write('first\n');
    return new Promise<void>((resolve) => {
      setImmediate(() => {
        stream.write('second\n');
        expect(droppedLogLines() - before).toBe(1);
        resolve();
      });
    });
  });

  it('should wait for a flush only as long as it is told to', async () => {
    const stalled = stalledOutput();
    stalled.write('queued\n');
    const started = Date.now();
    await flushOutput(stalled, 100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(stalled.writableLength).toBeGreaterThan(0);

    const flowing = stalledOutput();
    flowing.write('queued\n');
    setTimeout(() => flowing.release(), 20);
    const start = Date.now();
    await flushOutput(flowing, 5000);
    expect(flowing.writableLength).toBe(0);
    expect(Date.now() - start).toBeLessThan(1000);
  });
});
