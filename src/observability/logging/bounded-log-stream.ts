import type { Writable } from 'node:stream';

/**
 * Log output held in memory while stdout is not being read (a stalled log pipe or collector):
 * about 1 MiB. Lines beyond it are dropped and counted, never waited for.
 */
export const LOG_BUFFER_BYTES = 1024 * 1024;

/** Log lines this process dropped because its output was full (or gone): for the metrics. */
let droppedTotal = 0;

export function droppedLogLines(): number {
  return droppedTotal;
}

type Output = Pick<Writable, 'write' | 'writableLength' | 'on'>;

/** Outputs listened to for errors (one listener each, however many loggers share stdout). */
const watched = new WeakSet<Output>();
/** Outputs that failed: written to no more. */
const broken = new WeakSet<Output>();

/**
 * pino's destination for stdout. Node writes to a pipe or socket without blocking (libuv queues
 * what the reader has not taken yet), so a reader that stops reading would let that queue grow
 * without end; this stream bounds it. A synchronous destination would instead block the whole
 * process in write(2) until the reader came back, and an fs.write one would block a thread-pool
 * thread (and process exit with it). A regular file or a terminal is written synchronously by Node
 * itself, which cannot stall for long.
 */
export class BoundedLogStream {
  constructor(
    private readonly out: Output,
    private readonly maxBytes = LOG_BUFFER_BYTES,
  ) {
    if (!watched.has(out)) {
      watched.add(out);
      // EPIPE and the like: the reader is gone for good. Unheard, the error would end the process.
      out.on('error', () => broken.add(out));
    }
  }

  write(line: string): void {
    // String length as the line's size: at most a third of its UTF-8 bytes off, and cheap.
    if (
      broken.has(this.out) ||
      this.out.writableLength + line.length > this.maxBytes
    ) {
      droppedTotal += 1;
      return;
    }
    this.out.write(line);
  }

  /** Resolves once everything queued was written, or after `timeoutMs` (whatever is left is lost). */
  flush(timeoutMs: number): Promise<void> {
    return flushOutput(this.out, timeoutMs);
  }
}

/**
 * Waits until `out` has written everything queued, at most `timeoutMs`: before process.exit(),
 * which drops what is still queued. Polled: 'drain' only follows a write that returned false.
 */
export function flushOutput(
  out: Pick<Writable, 'writableLength'>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = (): void => {
      if (out.writableLength === 0 || Date.now() >= deadline) {
        resolve();
      } else {
        setTimeout(check, 10);
      }
    };
    check();
  });
}
