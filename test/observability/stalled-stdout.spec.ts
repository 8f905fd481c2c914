import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TEST_ENV } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import { freePort } from './observed-app.js';

// The built artefact (`npm test` builds first), as an operator runs it: stdout is the log.
const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;

/** A path that makes every request log about 8 KB (the 404 line carries the path, bounded at 4 KB). */
const LONG_PATH = `/no-such-page/${'a'.repeat(4000)}`;

function dropped(metrics: string): number {
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith('rcbridge_log_lines_dropped_total '));
  return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
}

describe('node dist/main.js with a stdout nobody reads', () => {
  it('should keep answering, drop and count log lines beyond its buffer, and still exit promptly', async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    const { uri } = freshDatabaseUri('stalledlog');
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        ...TEST_ENV,
        MONGODB_URI: uri,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'debug',
        METRICS_PORT: String(metricsPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      child.on('exit', (code) => resolve({ code, at: Date.now() })),
    );
    try {
      // Read until it listens, then never again: the pipe fills, as with a stalled log collector.
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`did not start:\n${output}`)),
          20_000,
        );
        const onData = (chunk: Buffer): void => {
          output += chunk.toString();
          if (output.includes('Listening on')) {
            clearTimeout(timer);
            child.stdout.off('data', onData);
            child.stdout.pause();
            resolve();
          }
        };
        child.stdout.on('data', onData);
      });
      expect(output).toContain('"level":"info"');

      const base = `http://127.0.0.1:${port}`;
      // About 4 MB of log lines: far beyond the pipe, the reader's buffer and the 1 MiB bound.
      for (let round = 0; round < 50; round++) {
        const answers = await Promise.all(
          Array.from({ length: 10 }, () =>
            fetch(`${base}${LONG_PATH}`, {
              signal: AbortSignal.timeout(5000),
            }),
          ),
        );
        expect(answers.every((answer) => answer.status === 404)).toBe(true);
      }

      const started = Date.now();
      const live = await fetch(`${base}/health/live`, {
        signal: AbortSignal.timeout(5000),
      });
      expect(live.status).toBe(200);
      const login = await fetch(`${base}/login`, {
        signal: AbortSignal.timeout(5000),
      });
      expect(login.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2000);

      const metrics = await (
        await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
          signal: AbortSignal.timeout(5000),
        })
      ).text();
      const first = dropped(metrics);
      expect(first).toBeGreaterThan(0);
      await fetch(`${base}${LONG_PATH}`, { signal: AbortSignal.timeout(5000) });
      const second = dropped(
        await (
          await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
            signal: AbortSignal.timeout(5000),
          })
        ).text(),
      );
      expect(second).toBeGreaterThan(first);

      // SIGTERM: shuts down cleanly; the flush of the stalled output gives up after its bound.
      const stopping = Date.now();
      child.kill('SIGTERM');
      const { code, at } = await exited;
      expect(code).toBe(0);
      expect(at - stopping).toBeLessThan(8000);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
