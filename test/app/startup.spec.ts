import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TEST_ENV } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';

// The built artefact (`npm test` builds first), started as an operator would: `node dist/main.js`.
const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;

interface Run {
  code: number | null;
  output: string;
}

function run(
  env: Record<string, string | undefined>,
  untilOutput?: RegExp,
): Promise<Run & { kill?: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 20 s:\n${output}`));
    }, 20_000);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (untilOutput?.test(output)) {
        untilOutput = undefined;
        resolve({ code: null, output, kill: () => child.kill('SIGTERM') });
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('node dist/main.js', () => {
  it('should have been built', () => {
    expect(existsSync(MAIN)).toBe(true);
  });

  it('should exit non-zero before listening and name each missing variable', async () => {
    const result = await run({});
    expect(result.code).toBe(1);
    for (const name of [
      'MONGODB_URI',
      'ROCKETCHAT_URL',
      'SESSION_SECRET',
      'ROCKETCHAT_AUTH_TOKEN',
    ]) {
      expect(result.output).toContain(name);
    }
    expect(result.output).not.toContain('Listening');
  });

  it('should name an invalid variable and its rule without printing its value', async () => {
    const secret = 'mongodb://admin:Sup3rS3cret@db.example/x y';
    const result = await run({
      ...TEST_ENV,
      MONGODB_URI: 'postgres://admin:Sup3rS3cret@db',
      PORT: '70000',
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('MONGODB_URI: must start with mongodb://');
    expect(result.output).toContain('PORT: must be at most 65535');
    expect(result.output).not.toContain('Sup3rS3cret');
    expect(secret).toContain('Sup3rS3cret');
  });

  it('should start with valid config, answer the liveness route, and exit 0 on SIGTERM', async () => {
    const port = await freePort();
    const { uri } = freshDatabaseUri('startup');
    const started = await run(
      {
        ...TEST_ENV,
        MONGODB_URI: uri,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      /Listening on/,
    );
    try {
      const live = await fetch(`http://127.0.0.1:${port}/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'ok' });
    } finally {
      started.kill?.();
    }
  });
});
