import { pbkdf2Sync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { freshDatabaseUri } from '../support/mongo.js';

function djangoHash(password: string, salt: string): string {
  const hash = pbkdf2Sync(password, salt, 1000, 32, 'sha256');
  return `pbkdf2_sha256$1000$${salt}$${hash.toString('base64')}`;
}

function record(pk: number, username: string, password: string) {
  return {
    model: 'auth.user',
    pk,
    fields: {
      password,
      last_login: null,
      is_superuser: false,
      username,
      first_name: 'Json',
      last_name: username,
      email: `${username}@example.org`,
      is_staff: false,
      is_active: true,
      date_joined: '2022-02-02T00:00:00Z',
      groups: [],
      user_permissions: [],
    },
  };
}

describe('rc-bridge users import --json', () => {
  let dir: string;
  let env: Record<string, string>;
  let mongo: MongoClient;
  let dbName: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rc-bridge-import-json-'));
    const db = freshDatabaseUri('importjson');
    dbName = db.dbName;
    env = { MONGODB_URI: db.uri, MONGO_SERVER_SELECTION_TIMEOUT: '2s' };
    mongo = await MongoClient.connect(db.uri);
  });
  afterAll(async () => {
    await mongo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function dump(name: string, records: unknown[]): string {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(records));
    return path;
  }

  it('should report a refused import as one JSON document, exit 1, and write nothing', async () => {
    const file = dump('mixed.json', [
      record(1, 'jane', djangoHash('jane-password', 'salt1')),
      record(2, 'john', '!unusable'),
    ]);
    const run = await runCli(['users', 'import', file, '--json'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^rc-bridge: Nothing imported: /);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      model: 'auth.user',
      records: 2,
      valid: 1,
      invalid: 1,
      ignored: 0,
      outcome: 'refused',
      dryRun: false,
      imported: 0,
      batch: null,
    });
    expect(report.problems).toEqual([
      {
        row: 2,
        pk: '2',
        username: 'john',
        reasons: [expect.stringMatching(/password/i)],
      },
    ]);
    expect(run.stdout).not.toContain('pbkdf2_sha256');
    expect(
      await mongo.db(dbName).collection('bridge_users').countDocuments(),
    ).toBe(0);
  });

  it('should report a dry run and an import with its batch', async () => {
    const file = dump('good.json', [
      record(1, 'jane', djangoHash('jane-password', 'salt1')),
      record(2, 'jill', djangoHash('jill-password', 'salt2')),
    ]);
    const dry = await runCli(
      ['users', 'import', file, '--dry-run', '--json'],
      env,
    );
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      valid: 2,
      problems: [],
      outcome: 'would-import',
      dryRun: true,
      imported: 0,
    });

    const real = await runCli(['users', 'import', file, '--json'], env);
    expect(real.code).toBe(0);
    expect(real.stderr).toBe('');
    const report = JSON.parse(real.stdout) as { batch: string };
    expect(report).toMatchObject({ outcome: 'imported', imported: 2 });
    expect(report.batch).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      await mongo
        .db(dbName)
        .collection('bridge_users')
        .countDocuments({ importBatch: report.batch }),
    ).toBe(2);
  });

  it('should keep the text report unchanged without --json', async () => {
    const file = dump('again.json', [
      record(3, 'joan', djangoHash('joan-password', 'salt3')),
    ]);
    const run = await runCli(['users', 'import', file, '--dry-run'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      '1 "auth.user" records: 1 valid, 0 invalid.\n' +
        'Dry run: 1 users would be imported; nothing was written.\n',
    );
  });
});
