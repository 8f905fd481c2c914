import { spawn } from 'node:child_process';
import { pbkdf2Sync } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsService } from '../../src/users/credentials.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';

// The built artefact (`npm test` builds first), run as an operator would: `rc-bridge …`.
const BIN = new URL('../../bin/rc-bridge.js', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(
  args: string[],
  options: { env: Record<string, string>; stdin?: string },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    // Only what the CLI needs: no SESSION_SECRET, no Rocket.Chat settings.
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `rc-bridge ${args.join(' ')}: no exit within 25 s\n${stdout}\n${stderr}`,
        ),
      );
    }, 25_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

function djangoPbkdf2(
  password: string,
  salt: string,
  iterations = 1000,
): string {
  const hash = pbkdf2Sync(
    Buffer.from(password, 'utf8'),
    Buffer.from(salt, 'utf8'),
    iterations,
    32,
    'sha256',
  );
  return `pbkdf2_sha256$${iterations}$${salt}$${hash.toString('base64')}`;
}

function record(
  pk: number,
  username: string,
  password: string,
  extra: Record<string, unknown> = {},
) {
  return {
    model: 'auth.user',
    pk,
    fields: {
      password,
      last_login: '2024-03-04T05:06:07.890Z',
      is_superuser: false,
      username,
      first_name: 'Imported',
      last_name: username,
      email: `${username}@example.org`,
      is_staff: false,
      is_active: true,
      date_joined: '2021-01-01T00:00:00Z',
      groups: [],
      user_permissions: [],
      ...extra,
    },
  };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 1;
}

describe('rc-bridge users (the built bin, end to end)', () => {
  let env: Record<string, string>;
  let uri: string;
  let dbName: string;
  let mongo: MongoClient;
  let bridge: TestApp;
  let workDir: string;

  /** The service's own credential check, on the database the CLI writes. */
  const login = (username: string, password: string) =>
    bridge.app.get(CredentialsService).verify(username, password);
  const users = () => mongo.db(dbName).collection('bridge_users');

  beforeAll(async () => {
    ({ uri, dbName } = freshDatabaseUri('cli'));
    env = { MONGODB_URI: uri, MONGO_SERVER_SELECTION_TIMEOUT: '2s' };
    mongo = await MongoClient.connect(uri);
    bridge = await createTestApp({ env: { MONGODB_URI: uri } });
    workDir = mkdtempSync(join(tmpdir(), 'rc-bridge-cli-'));
  });
  afterAll(async () => {
    await bridge?.close();
    await mongo?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('should add a user with the password from stdin, store argon2id, and let it log in', async () => {
    const run = await cli(
      [
        'users',
        'add',
        'Alice',
        '--email',
        'alice@example.org',
        '--name',
        'Alice Liddell',
      ],
      {
        env,
        stdin: 'wonderland-42\n',
      },
    );
    expect(run).toMatchObject({
      code: 0,
      stdout: 'Created user Alice\n',
      stderr: '',
    });
    const doc = await users().findOne({ usernameNormalized: 'alice' });
    expect(doc?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await login('alice', 'wonderland-42')).toMatchObject({
      username: 'Alice',
      email: 'alice@example.org',
      displayName: 'Alice Liddell',
    });
  });

  it('should refuse duplicates, bad names, short passwords and a missing password with exit code 1', async () => {
    const duplicate = await cli(['users', 'add', 'ALICE'], {
      env,
      stdin: 'another-password\n',
    });
    expect(duplicate).toMatchObject({ code: 1, stdout: '' });
    expect(duplicate.stderr).toBe(
      'rc-bridge: A user named "ALICE" already exists\n',
    );

    const badName = await cli(['users', 'add', 'bad\u001bname'], {
      env,
      stdin: 'long-enough-pw\n',
    });
    expect(badName.code).toBe(1);
    expect(badName.stderr).toMatch(
      /^rc-bridge: The username must not contain control characters/,
    );
    expect(badName.stderr).not.toContain('\u001b');

    const short = await cli(['users', 'add', 'bob'], { env, stdin: 'short\n' });
    expect(short.code).toBe(1);
    expect(short.stderr).toBe(
      'rc-bridge: The password must be at least 8 characters long\n',
    );

    const none = await cli(['users', 'add', 'bob'], { env, stdin: '' });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/No password given/);
    expect(await users().countDocuments({ usernameNormalized: 'bob' })).toBe(0);
  });

  it('should never take a password from the command line', async () => {
    const run = await cli(
      ['users', 'add', 'carol', '--password', 'in-argv-123'],
      { env, stdin: '' },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--password'/);
    expect(await users().countDocuments({ usernameNormalized: 'carol' })).toBe(
      0,
    );
  });

  it('should change a password with passwd', async () => {
    const run = await cli(['users', 'passwd', 'alice'], {
      env,
      stdin: 'through-the-looking-glass\n',
    });
    expect(run).toMatchObject({
      code: 0,
      stdout: 'Password of Alice changed\n',
    });
    expect(await login('alice', 'wonderland-42')).toBeNull();
    expect(await login('alice', 'through-the-looking-glass')).not.toBeNull();
    const unknown = await cli(['users', 'passwd', 'nobody'], {
      env,
      stdin: 'whatever-password\n',
    });
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'rc-bridge: No user named "nobody"\n',
    });
  });

  it('should disable and enable a user, which the credential check follows', async () => {
    expect(await cli(['users', 'disable', 'Alice'], { env })).toMatchObject({
      code: 0,
      stdout: 'Disabled Alice\n',
    });
    expect(await login('alice', 'through-the-looking-glass')).toBeNull();
    expect(await cli(['users', 'disable', 'alice'], { env })).toMatchObject({
      code: 0,
      stdout: 'Alice is already disabled\n',
    });
    expect(await cli(['users', 'enable', 'alice'], { env })).toMatchObject({
      code: 0,
      stdout: 'Enabled Alice\n',
    });
    expect(await login('alice', 'through-the-looking-glass')).not.toBeNull();
    expect((await cli(['users', 'enable', 'nobody'], { env })).code).toBe(1);
  });

  it('should import a dumpdata file, keep the Django hashes, and rehash them at the first login', async () => {
    const file = join(workDir, 'users.json');
    writeFileSync(
      file,
      JSON.stringify([
        record(
          1,
          'grace',
          djangoPbkdf2('cobol-compiler', 'Zx8c7v6B5n4M3a2S1d0fGh'),
        ),
        // Published by Django (tests/auth_tests/test_hashers.py, test_pbkdf2): "lètmein".
        record(
          2,
          'vector',
          'pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
        ),
        record(3, 'ada', djangoPbkdf2('analytical', 'Po9iU8yT7rE6wQ5aS4dF3g'), {
          is_active: false,
        }),
        {
          model: 'auth.group',
          pk: 1,
          fields: { name: 'staff', permissions: [] },
        },
      ]),
    );
    const dry = await cli(['users', 'import', file, '--dry-run'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      '3 "auth.user" records: 3 valid, 0 invalid; 1 records of other models ignored.',
    );
    expect(dry.stdout).toContain(
      'Dry run: 3 users would be imported; nothing was written.',
    );
    expect(await users().countDocuments({ usernameNormalized: 'grace' })).toBe(
      0,
    );

    const run = await cli(['users', 'import', file], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /Imported 3 users \(import batch [0-9a-f-]{36}\)\./,
    );
    expect(
      (await users().findOne({ usernameNormalized: 'grace' }))?.passwordHash,
    ).toMatch(/^pbkdf2_sha256\$/);

    expect(await login('grace', 'cobol-compiler')).toMatchObject({
      username: 'grace',
      displayName: 'Imported grace',
    });
    expect(await login('vector', 'lètmein')).toMatchObject({
      username: 'vector',
    });
    expect(await login('ada', 'analytical')).toBeNull(); // imported as disabled
    for (const key of ['grace', 'vector']) {
      expect(
        (await users().findOne({ usernameNormalized: key }))?.passwordHash,
      ).toMatch(/^\$argon2id\$v=19\$/);
    }
  });

  it('should refuse an import with bad rows as a whole, reporting each row, unless told to skip them', async () => {
    const file = join(workDir, 'mixed.json');
    writeFileSync(
      file,
      JSON.stringify([
        record(
          10,
          'hedy',
          djangoPbkdf2('frequency-hopping', 'Lk9jH8gF7dS6aQ5wE4rT3y'),
        ),
        record(11, 'sso-user', '!Xk2mP9qR4sT7vW0yZ3bC6dF8gH1jL5nQ8rS2tU4w'),
        record(
          12,
          'bcrypter',
          'bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuvwxyz0123456789ABCDEFGHIJKLM',
        ),
        record(13, 'Grace', djangoPbkdf2('x', 'y')),
        record(14, 'Dup', djangoPbkdf2('x', 'y')),
        record(15, 'dup', djangoPbkdf2('x', 'y')),
      ]),
    );
    const refused = await cli(['users', 'import', file], { env });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      '6 "auth.user" records: 1 valid, 5 invalid.',
    );
    expect(refused.stdout).toContain(
      'row 2 (pk 11, "sso-user"): unusable password',
    );
    expect(refused.stdout).toContain(
      'row 3 (pk 12, "bcrypter"): unsupported password hash algorithm "bcrypt_sha256"',
    );
    expect(refused.stdout).toContain(
      'row 4 (pk 13, "Grace"): a bridge user with this username exists already',
    );
    expect(refused.stdout).toContain(
      'row 5 (pk 14, "Dup"): duplicate username: the same as row 6',
    );
    expect(refused.stdout).not.toMatch(/Xk2mP9|abcdefgh/);
    expect(refused.stderr).toMatch(/Nothing imported/);
    expect(await users().countDocuments({ usernameNormalized: 'hedy' })).toBe(
      0,
    );

    const skipped = await cli(['users', 'import', file, '--skip-invalid'], {
      env,
    });
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(
      /Imported 1 users \(import batch ([0-9a-f-]{36})\)/,
    );
    expect(await login('hedy', 'frequency-hopping')).not.toBeNull();

    const batch = /import batch ([0-9a-f-]{36})/.exec(skipped.stdout)![1];
    const undo = await cli(['users', 'undo-import', batch], { env });
    expect(undo).toMatchObject({
      code: 0,
      stdout: `Removed 1 users of import batch ${batch}.\n`,
    });
    expect(await users().countDocuments({ usernameNormalized: 'hedy' })).toBe(
      0,
    );

    const missing = await cli(['users', 'import', join(workDir, 'nope.json')], {
      env,
    });
    expect(missing).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Cannot read .*nope\.json \(ENOENT\)/),
    });
  });

  it('should list users as a table and as JSON, never with a hash', async () => {
    const table = await cli(['users', 'list'], { env });
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^USERNAME\s+EMAIL\s+NAME\s+SOURCE\s+ACTIVE\s+CREATED \(UTC\)\s+LAST LOGIN \(UTC\)\s+GROUPS$/,
    );
    expect(lines.find((l) => l.startsWith('Alice '))).toMatch(
      /^Alice\s+alice@example\.org\s+Alice Liddell\s+local\s+yes\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\d{4}-/,
    );
    expect(lines.find((l) => l.startsWith('ada '))).toMatch(
      /\sno\s+2021-01-01 00:00\s+2024-03-04 05:06\s+-$/,
    );
    const json = await cli(['users', 'list', '--json'], { env });
    const listed = JSON.parse(json.stdout) as {
      username: string;
      active: boolean;
    }[];
    expect(listed.map((u) => u.username)).toEqual(
      expect.arrayContaining(['Alice', 'grace', 'vector', 'ada']),
    );
    for (const output of [table.stdout, json.stdout]) {
      expect(output).not.toMatch(/argon2|pbkdf2|passwordHash/);
    }
  });

  it('should give a local user groups at creation and change them (set, add, remove), refusing a directory user and bad names', async () => {
    const added = await cli(
      ['users', 'add', 'gus', '--group', 'contractors', '--group', 'ops team'],
      { env, stdin: 'gus-password-1\n' },
    );
    expect(added).toMatchObject({
      code: 0,
      stdout: 'Created user gus in contractors, ops team\n',
    });
    const shown = await cli(['users', 'groups', 'GUS'], { env });
    expect(shown.stdout).toBe('gus: contractors, ops team\n');
    const changed = await cli(
      [
        'users',
        'groups',
        'gus',
        '--set',
        'a,b,c',
        '--add',
        'cn=x,dc=example,dc=org',
        '--remove',
        'b',
        '--json',
      ],
      { env },
    );
    expect(JSON.parse(changed.stdout)).toEqual({
      username: 'gus',
      groups: ['a', 'c', 'cn=x,dc=example,dc=org'],
    });
    const listed = await cli(['users', 'list'], { env });
    expect(listed.stdout.split('\n').find((l) => l.startsWith('gus '))).toMatch(
      /\sa; c; cn=x,dc=example,dc=org$/,
    );
    expect(
      (await cli(['users', 'groups', 'gus', '--set', ''], { env })).stdout,
    ).toBe('gus is in no group\n');

    await users().insertOne({
      username: 'dirk',
      usernameNormalized: 'dirk',
      active: true,
      source: 'ldap',
      externalId: 'uuid-dirk',
      externalKey: 'ldap|uuid-dirk',
      groups: ['cn=staff,dc=example,dc=org'],
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    const refused = await cli(['users', 'groups', 'dirk', '--add', 'x'], {
      env,
    });
    expect(refused).toMatchObject({
      code: 1,
      stderr:
        'rc-bridge: dirk signs in through ldap, which sets its groups at every sign-in: change them there\n',
    });
    const bad = await cli(['users', 'groups', 'gus', '--add', 'tab\there'], {
      env,
    });
    expect(bad).toMatchObject({
      code: 1,
      stderr:
        'rc-bridge: The groups names must not contain control characters\n',
    });
    expect(
      (await cli(['users', 'groups', 'gus', '--set', 'a,,b'], { env })).code,
    ).toBe(2);
  }, 120_000);

  it('should exit 2 on usage errors and 0 on help', async () => {
    expect((await cli([], { env })).code).toBe(2);
    expect((await cli(['users', 'frobnicate'], { env })).code).toBe(2);
    expect((await cli(['users', 'add'], { env })).code).toBe(2);
    expect((await cli(['users', 'list', 'extra'], { env })).code).toBe(2);
    const help = await cli(['users', '--help'], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/add .*<username>/);
    expect(help.stdout).toMatch(/import .*<file>/);
  });

  it('should say in one line, within seconds, that MongoDB is unreachable', async () => {
    const port = await closedPort();
    const run = await cli(['users', 'list'], {
      env: {
        MONGODB_URI: `mongodb://127.0.0.1:${port}/x`,
        MONGO_SERVER_SELECTION_TIMEOUT: '1s',
      },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^rc-bridge: MongoDB is not reachable \([^)]*\); check MONGODB_URI\n$/,
    );
    expect(run.ms).toBeLessThan(8000);
  });

  it('should name a missing or invalid variable without its value, and need nothing but MongoDB', async () => {
    const missing = await cli(['users', 'list'], { env: {} });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('MONGODB_URI: is required');
    expect(missing.stderr).not.toMatch(/SESSION_SECRET|ROCKETCHAT/);
    const invalid = await cli(['users', 'list'], {
      env: { MONGODB_URI: 'postgres://u:S3cretValue@db/x' },
    });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('MONGODB_URI: must start with mongodb://');
    expect(invalid.stderr).not.toContain('S3cretValue');
  });

  it('should tell the operator to build first when dist/ is missing', async () => {
    const copy = join(workDir, 'unbuilt', 'bin');
    mkdirSync(copy, { recursive: true });
    copyFileSync(BIN, join(copy, 'rc-bridge.js'));
    writeFileSync(
      join(workDir, 'unbuilt', 'package.json'),
      '{"type": "module"}',
    );
    const run = await new Promise<{ code: number | null; stderr: string }>(
      (resolve) => {
        const child = spawn(
          process.execPath,
          [join(copy, 'rc-bridge.js'), 'users', 'list'],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let stderr = '';
        child.stderr.on(
          'data',
          (chunk: Buffer) => (stderr += chunk.toString()),
        );
        child.on('exit', (code) => resolve({ code, stderr }));
      },
    );
    expect(run).toEqual({
      code: 1,
      stderr:
        'rc-bridge: dist/cli/main.js is missing; build the project first (npm run build)\n',
    });
  });
});
