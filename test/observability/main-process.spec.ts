import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TEST_ENV } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import { freePort } from './observed-app.js';

// The built artefact (`npm test` builds first), as an operator runs it: stdout is the log.
const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;

interface Running {
  output: () => string;
  exited: Promise<number | null>;
  stop: () => void;
}

function start(env: Record<string, string | undefined>): Running {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
  return { output: () => output, exited, stop: () => child.kill('SIGTERM') };
}

async function waitFor(running: Running, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!pattern.test(running.output())) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${String(pattern)}:\n${running.output()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('node dist/main.js logging', () => {
  it('should report configuration problems as JSON lines, one per problem, and exit 1', async () => {
    const running = start({
      PORT: '99999',
      SESSION_SECRET: 'short-but-secret-value',
    });
    expect(await running.exited).toBe(1);
    const lines = jsonLines(running.output());
    expect(lines.every((line) => line.level === 'fatal')).toBe(true);
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        'Invalid configuration: PORT: must be at most 65535',
        'Invalid configuration: MONGODB_URI: is required',
      ]),
    );
    expect(running.output()).not.toContain('short-but-secret-value');
  });

  it('should log JSON with request ids and no secrets while serving, with metrics on an internal port', async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    const { uri } = freshDatabaseUri('mainlog');
    const running = start({
      ...TEST_ENV,
      MONGODB_URI: uri,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      METRICS_PORT: String(metricsPort),
    });
    try {
      await waitFor(running, /Listening on/);
      const live = await fetch(
        `http://127.0.0.1:${port}/health/live?token=q-secret-123456`,
        {
          headers: {
            'x-request-id': 'from-proxy-1',
            cookie: 'rcbridge_session=c-secret-123456',
          },
        },
      );
      expect(live.headers.get('x-request-id')).toBe('from-proxy-1');
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain(
        'rcbridge_http_request_duration_seconds_count{method="GET",route="/health/live",status="200"} 1',
      );
      await waitFor(running, /"requestId":"from-proxy-1"/);
    } finally {
      running.stop();
    }
    expect(await running.exited).toBe(0);
    const lines = jsonLines(running.output());
    expect(
      lines.find((line) => line.requestId === 'from-proxy-1'),
    ).toMatchObject({
      level: 'debug',
      route: '/health/live',
      status: 200,
    });
    expect(
      lines.some((line) =>
        String(line.msg).startsWith('Metrics on http://127.0.0.1:'),
      ),
    ).toBe(true);
    for (const secret of [
      'q-secret-123456',
      'c-secret-123456',
      String(TEST_ENV.ROCKETCHAT_AUTH_TOKEN),
      String(TEST_ENV.SESSION_SECRET),
    ]) {
      expect(running.output()).not.toContain(secret);
    }
  });

  it('should write human-readable lines in development', async () => {
    const running = start({ NODE_ENV: 'development', PORT: 'eighty' });
    expect(await running.exited).toBe(1);
    expect(running.output()).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z\] FATAL: \[Bootstrap\] Invalid configuration: PORT: must be a whole number$/m,
    );
  });
});
