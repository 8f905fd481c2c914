import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '@node-rs/argon2';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENV } from '../support/app.js';
import { freePort } from '../support/browser.js';
import { freshDatabaseUri } from '../support/mongo.js';

// The built artefact (`npm test` builds first), started as an operator would: `node dist/main.js`.
const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;
const HINT =
  '`docker compose exec bridge rc-bridge users add <name>` (elsewhere: `rc-bridge users add <name>`';

interface Started {
  output(): string;
  waitFor(pattern: RegExp): Promise<void>;
  stop(): Promise<void>;
}

async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      ...TEST_ENV,
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let closed = false;
  // 'close', not 'exit': the output has been read to its end by then.
  const exited = new Promise<void>((resolve) =>
    child.on('close', () => {
      closed = true;
      resolve();
    }),
  );
  return {
    output: () => output,
    async waitFor(pattern) {
      const deadline = Date.now() + 30_000;
      while (!pattern.test(output)) {
        if (Date.now() > deadline || closed) {
          throw new Error(`never logged ${String(pattern)}:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('the first user (node dist/main.js on an empty database)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rc-bridge-first-user-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should log once how to add the first user, with the exact command', async () => {
    const { uri } = freshDatabaseUri('firsthint');
    const bridge = await start({ MONGODB_URI: uri });
    try {
      await bridge.waitFor(/No bridge users yet/);
      await bridge.waitFor(/Listening on/);
    } finally {
      await bridge.stop();
    }
    const hints = bridge
      .output()
      .split('\n')
      .filter((line) => line.includes('No bridge users yet'));
    expect(hints).toHaveLength(1);
    expect(JSON.parse(hints[0])).toMatchObject({
      level: 'warn',
      context: 'FirstUser',
    });
    expect(hints[0]).toContain(HINT);
  }, 60_000);

  it('should create BRIDGE_INITIAL_USER exactly once with two replicas starting together, and change nothing afterwards', async () => {
    const { uri, dbName } = freshDatabaseUri('firstuser');
    const password = 'first-start-Pa55word-7d1e';
    const passwordFile = join(dir, 'initial-password');
    writeFileSync(passwordFile, `${password}\n`);
    const env = {
      MONGODB_URI: uri,
      BRIDGE_INITIAL_USER: 'Admin',
      BRIDGE_INITIAL_PASSWORD_FILE: passwordFile,
    };
    const replicas = await Promise.all([start(env), start(env)]);
    try {
      for (const replica of replicas) {
        await replica.waitFor(
          /Created the initial user Admin|created by another replica|BRIDGE_INITIAL_USER ignored/,
        );
      }
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop()));
    }
    const all = replicas.map((replica) => replica.output()).join('\n');
    expect(all.match(/Created the initial user Admin/g)).toHaveLength(1);
    expect(all).not.toContain('No bridge users yet');
    expect(all).not.toContain(password);

    const mongo = await MongoClient.connect(uri);
    try {
      const users = mongo.db(dbName).collection('bridge_users');
      const [admin, ...others] = await users.find().toArray();
      expect(others).toEqual([]);
      expect(admin).toMatchObject({ username: 'Admin', active: true });
      const hash = String(admin.passwordHash);
      // The file's line end is not part of the password.
      expect(await verify(hash, password)).toBe(true);

      // A later start, even with other values, leaves the existing user alone.
      const otherFile = join(dir, 'other-password');
      writeFileSync(otherFile, 'another-Pa55word-for-later');
      const later = await start({
        MONGODB_URI: uri,
        BRIDGE_INITIAL_USER: 'someone-else',
        BRIDGE_INITIAL_PASSWORD_FILE: otherFile,
      });
      try {
        await later.waitFor(/BRIDGE_INITIAL_USER ignored/);
      } finally {
        await later.stop();
      }
      const after = await users.find().toArray();
      expect(after).toHaveLength(1);
      expect(after[0]._id).toEqual(admin._id);
      expect(after[0].passwordHash).toBe(hash);
      expect(later.output()).not.toContain('Created the initial user');
    } finally {
      await mongo.close();
    }
  }, 120_000);

  it('should refuse to start with half of the pair, naming the variable and never the value', async () => {
    const { uri } = freshDatabaseUri('firsthalf');
    const noPassword = await start({
      MONGODB_URI: uri,
      BRIDGE_INITIAL_USER: 'admin',
    });
    await noPassword.waitFor(/Not starting/);
    expect(noPassword.output()).toContain(
      'Invalid configuration: BRIDGE_INITIAL_PASSWORD: is required with BRIDGE_INITIAL_USER (or BRIDGE_INITIAL_PASSWORD_FILE)',
    );
    const short = await start({
      MONGODB_URI: uri,
      BRIDGE_INITIAL_USER: 'admin',
      BRIDGE_INITIAL_PASSWORD: 'sh0rt',
    });
    await short.waitFor(/Not starting/);
    expect(short.output()).toContain(
      'Invalid configuration: BRIDGE_INITIAL_PASSWORD: must be at least 8 characters long',
    );
    expect(short.output()).not.toContain('sh0rt');
  }, 60_000);
});
