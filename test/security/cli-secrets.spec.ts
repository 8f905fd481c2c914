import { spawn } from 'node:child_process';
import { pbkdf2Sync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedIframeSettings } from '../../src/doctor/checks/iframe-settings.check.js';
import {
  CREATE_TOKEN_SECRET,
  startHarness,
  type Harness,
} from '../rocketchat/harness.js';
import { TEST_ENV } from '../support/app.js';
import { freshDatabaseUri, mongoIsFerretDb } from '../support/mongo.js';
import { runCli as runBin, type CliRun } from '../support/run-cli.js';
import { leaks, type Secret } from './secret-scan.js';

// Checklist SEC-1 for the processes an operator runs by hand: `rc-bridge users ...`, `rc-bridge
// doctor` and a `node dist/main.js` refused by its configuration, all at LOG_LEVEL=trace. Nothing
// they print (stdout or stderr) may carry a password, a stored hash or a configured secret.

const CONFIG_SECRETS = {
  SESSION_SECRET: 'cli1-session-secret-5e0c7a91d3b84f26a1c9',
  TOKEN_ENCRYPTION_KEY: 'p7Vd0QyG2mKc9sLw4ZtB8nXe1RjH6aUf3CiO5vNbE0k=',
  ROCKETCHAT_AUTH_TOKEN: 'cli1-admin-token-2b9d7f4e1a6c',
  CREATE_TOKENS_FOR_USERS_SECRET: 'cli1-create-token-secret-8e3f1a0d',
  METRICS_TOKEN: 'cli1-metrics-token-4c7a2e9b',
} as const;
const MONGO_PASSWORD = 'cli1-mongo-password-6d1f93b2';

const PASSWORDS = {
  added: 'cli1 added password 4471',
  changed: 'cli1 changed password 9902',
  refusedShort: 'cli1-refused-7',
  refusedLong: `cli1-too-long-${'q'.repeat(300)}`,
  importedGrace: 'cli1 grace cobol 1959',
  importedHedy: 'cli1 hedy frequency 1942',
  importedBad: 'cli1 bad row password 31',
};

function djangoPbkdf2(password: string, salt: string): string {
  const hash = pbkdf2Sync(password, salt, 1000, 32, 'sha256');
  return `pbkdf2_sha256$1000$${salt}$${hash.toString('base64')}`;
}

const HASHES = {
  grace: djangoPbkdf2(PASSWORDS.importedGrace, 'Cli1SaltGrace0123456789'),
  hedy: djangoPbkdf2(PASSWORDS.importedHedy, 'Cli1SaltHedy9876543210'),
  bad: djangoPbkdf2(PASSWORDS.importedBad, 'Cli1SaltBadRow55443322'),
};

const SECRETS: Secret[] = [
  ...Object.entries(CONFIG_SECRETS).map(([name, value]) => ({ name, value })),
  { name: 'MongoDB password', value: MONGO_PASSWORD },
  ...Object.entries(PASSWORDS).map(([name, value]) => ({
    name: `password ${name}`,
    value,
  })),
  ...Object.entries(HASHES).map(([name, value]) => ({
    name: `pbkdf2 hash of ${name}`,
    value,
  })),
  // The hash's digest alone, in case a message quotes only the part after the salt.
  ...Object.entries(HASHES).map(([name, value]) => ({
    name: `pbkdf2 digest of ${name}`,
    value: value.split('$')[3],
  })),
];

/**
 * The URI with a password. FerretDB v1 accepts any with PLAIN; real MongoDB without users refuses
 * any credentials, so there the URI stays as it is (the password then only reaches main.js, which
 * fails before connecting).
 */
function withPassword(uri: string): string {
  if (!mongoIsFerretDb()) {
    return uri;
  }
  const url = uri.replace(
    /^mongodb:\/\//,
    `mongodb://bridge:${MONGO_PASSWORD}@`,
  );
  return `${url}${url.includes('?') ? '&' : '?'}authMechanism=PLAIN&authSource=admin`;
}

function expectNoLeak(run: CliRun, label: string, extra: Secret[] = []): void {
  expect([
    ...leaks([...SECRETS, ...extra], `${label} stdout`, run.stdout),
    ...leaks([...SECRETS, ...extra], `${label} stderr`, run.stderr),
  ]).toEqual([]);
}

/** `rc-bridge --verbose ...`: the service's own log lines too, not only the command's result. */
function runCli(
  args: readonly string[],
  env: Record<string, string>,
  stdin = '',
): Promise<CliRun> {
  return runBin(['--verbose', ...args], env, stdin);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address ? address.port : 0),
      );
    });
  });
}

describe('secrets in the output of the CLI and of a refused start (the built dist/)', () => {
  let env: Record<string, string>;
  let workDir: string;

  beforeAll(() => {
    env = {
      ...CONFIG_SECRETS,
      MONGODB_URI: withPassword(freshDatabaseUri('cli_secrets').uri),
      MONGO_SERVER_SELECTION_TIMEOUT: '3s',
      LOG_LEVEL: 'trace',
    };
    workDir = mkdtempSync(join(tmpdir(), 'rc-bridge-cli-secrets-'));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('should print no secret from users add, passwd and a refused add at trace level', async () => {
    const added = await runCli(
      ['users', 'add', 'carol', '--email', 'carol@example.org'],
      env,
      `${PASSWORDS.added}\n`,
    );
    expect(added.code).toBe(0);
    expectNoLeak(added, 'users add');

    const changed = await runCli(
      ['users', 'passwd', 'carol'],
      env,
      `${PASSWORDS.changed}\n`,
    );
    expect(changed).toMatchObject({ code: 0 });
    expectNoLeak(changed, 'users passwd');

    const tooShort = await runCli(
      ['users', 'add', 'dave'],
      { ...env, PASSWORD_MIN_LENGTH: '20' },
      `${PASSWORDS.refusedShort}\n`,
    );
    expect(tooShort.code).toBe(1);
    expect(tooShort.stderr).toMatch(/at least 20 characters/);
    expectNoLeak(tooShort, 'refused users add (short)');

    const tooLong = await runCli(
      ['users', 'add', 'erin'],
      env,
      `${PASSWORDS.refusedLong}\n`,
    );
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/at most 256 bytes/);
    expectNoLeak(tooLong, 'refused users add (long)');
  });

  it('should print no password hash from users import of a Django dump, refused, skipped or dry', async () => {
    const record = (pk: number, username: string, password: string) => ({
      model: 'auth.user',
      pk,
      fields: {
        password,
        username,
        email: `${username.toLowerCase()}@example.org`,
        first_name: 'Imported',
        last_name: username,
        is_active: true,
        is_staff: false,
        is_superuser: false,
        last_login: null,
        date_joined: '2021-01-01T00:00:00Z',
        groups: [],
        user_permissions: [],
      },
    });
    const file = join(workDir, 'dump.json');
    writeFileSync(
      file,
      JSON.stringify([
        record(1, 'grace', HASHES.grace),
        record(2, 'hedy', HASHES.hedy),
        // A bad row (name with a control character) whose hash is fine: refused, never quoted.
        record(3, 'bad\u0007row', HASHES.bad),
        record(4, 'CAROL', HASHES.bad),
      ]),
    );

    const dry = await runCli(['users', 'import', file, '--dry-run'], env);
    expectNoLeak(dry, 'users import --dry-run');
    const refused = await runCli(['users', 'import', file], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Nothing imported/);
    expectNoLeak(refused, 'refused users import');
    const skipped = await runCli(
      ['users', 'import', file, '--skip-invalid'],
      env,
    );
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(/Imported 2 users/);
    expectNoLeak(skipped, 'users import --skip-invalid');

    const listed = await runCli(['users', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    expectNoLeak(listed, 'users list --json');
  });

  it('should print no secret from a node dist/main.js that its configuration refuses', async () => {
    const tooShort = 'cli1-Short-Session-77';
    const main = new URL('../../dist/main.js', import.meta.url).pathname;
    const run = await new Promise<CliRun>((resolve, reject) => {
      const child = spawn(process.execPath, [main], {
        env: {
          PATH: process.env.PATH,
          ...env,
          NODE_ENV: 'production',
          PUBLIC_URL: 'https://sso.example.org',
          ROCKETCHAT_URL: 'https://chat.example.org',
          ROCKETCHAT_USER_ID: 'adminid',
          SESSION_SECRET: tooShort,
          PORT: String(0),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`main.js did not exit\n${stdout}\n${stderr}`));
      }, 25_000);
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/SESSION_SECRET/);
    expect(run.stdout + run.stderr).toMatch(/at least 32 characters/);
    expectNoLeak(run, 'main.js', [
      { name: 'the refused SESSION_SECRET', value: tooShort },
    ]);
  });

  describe('rc-bridge doctor against the emulated Rocket.Chat', () => {
    let h: Harness;
    let doctorEnv: Record<string, string>;
    const adminSecrets = (): Secret[] => [
      { name: 'admin PAT', value: h.admin.pat! },
      { name: 'admin password', value: h.admin.password },
      { name: 'createToken secret', value: CREATE_TOKEN_SECRET },
    ];

    beforeAll(async () => {
      const port = await freePort();
      const publicUrl = `http://localhost:${port}`;
      h = await startHarness({
        label: 'cli_secrets_doctor',
        emulator: { host: 'localhost' },
        env: { PUBLIC_URL: publicUrl },
      });
      await h.app.listen({ port, host: '127.0.0.1' });
      const expected = expectedIframeSettings({ publicUrl } as never);
      h.rc.control.configureIframe({
        iframeUrl: String(expected.Accounts_iframe_url),
        apiUrl: String(expected.Accounts_Iframe_api_url),
        apiMethod: 'POST',
      });
      doctorEnv = {
        ...(TEST_ENV as Record<string, string>),
        ...CONFIG_SECRETS,
        LOG_LEVEL: 'trace',
        PUBLIC_URL: publicUrl,
        MONGODB_URI: withPassword(h.mongoUri),
        ROCKETCHAT_URL: h.rc.url,
        ROCKETCHAT_USER_ID: h.admin.userId,
        ROCKETCHAT_AUTH_TOKEN: h.admin.pat!,
        CREATE_TOKENS_FOR_USERS_SECRET: CREATE_TOKEN_SECRET,
      };
    });
    afterAll(() => h?.close());

    it('should print no secret from a passing doctor, as text and as JSON', async () => {
      const text = await runCli(['doctor'], doctorEnv);
      expect(text.stdout).toMatch(/^OK +Bridge token +valid/m);
      expectNoLeak(text, 'doctor', adminSecrets());
      const json = await runCli(['doctor', '--json'], doctorEnv);
      expect(JSON.parse(json.stdout)).toHaveProperty('checks');
      expectNoLeak(json, 'doctor --json', adminSecrets());
    });

    it('should print no secret from a failing doctor (token and createToken secret refused)', async () => {
      const wrong: Secret[] = [
        { name: 'wrong admin token', value: 'cli1-wrong-admin-token-71f0c2' },
        {
          name: 'wrong createToken secret',
          value: 'cli1-wrong-create-secret-30ad9e',
        },
      ];
      const run = await runCli(['doctor'], {
        ...doctorEnv,
        ROCKETCHAT_AUTH_TOKEN: wrong[0].value,
        CREATE_TOKENS_FOR_USERS_SECRET: wrong[1].value,
      });
      expect(run.code).toBe(1);
      expectNoLeak(run, 'failing doctor', [...adminSecrets(), ...wrong]);
    });
  });
});
