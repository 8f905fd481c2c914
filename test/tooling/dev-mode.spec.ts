import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieFetch, csrfOf } from './cookie-fetch.js';

// `npm run dev` as an operator starts it (without the build: `npm test` built dist/ already, and
// rebuilding would delete dist/ under the other test files).
const DEV_SCRIPT = new URL('../../scripts/dev.mjs', import.meta.url).pathname;

interface DevRun {
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
}

function startDev(viewsDir: string): DevRun {
  const child = spawn(
    process.execPath,
    [
      DEV_SCRIPT,
      '--no-build',
      '--quiet',
      '--port',
      '0',
      '--rc-port',
      '0',
      '--views',
      viewsDir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const run: DevRun = {
    child,
    output: '',
    exited: new Promise((resolve) => child.once('exit', resolve)),
  };
  const collect = (chunk: Buffer): void => {
    run.output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return run;
}

async function waitFor(
  run: DevRun,
  pattern: RegExp,
  ms = 45_000,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const match = pattern.exec(run.output);
    if (match) {
      return match;
    }
    if (Date.now() > deadline || run.child.exitCode !== null) {
      throw new Error(
        `no ${String(pattern)} in the dev output:\n${run.output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm run dev', () => {
  let viewsDir: string;
  let run: DevRun;
  let rcUrl: string;
  let bridgeUrl: string;
  let bridgePid: number;

  beforeAll(async () => {
    viewsDir = mkdtempSync(join(tmpdir(), 'rcbridge-dev-views-'));
    mkdirSync(join(viewsDir, 'partials'));
    writeFileSync(
      join(viewsDir, 'partials', 'footer.hbs'),
      '<p class="dev-footer">first version</p>\n',
    );
    run = startDev(viewsDir);
    rcUrl = (await waitFor(run, /^dev: ready (\S+)\/$/m))[1];
    bridgeUrl = (await waitFor(run, /Bridge:\s+(\S+)\/login/))[1];
    bridgePid = Number((await waitFor(run, /bridge pid (\d+)/))[1]);
  }, 60_000);

  /** The emulator's control API over HTTP (it runs in the dev script's process). */
  async function rpc<T>(method: string, args: unknown[]): Promise<T> {
    const response = await fetch(`${rcUrl}/__emulator/rpc/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ args }),
    });
    return ((await response.json()) as { result: T }).result;
  }

  afterAll(() => {
    if (run.child.exitCode === null) {
      run.child.kill('SIGKILL');
    }
    rmSync(viewsDir, { recursive: true, force: true });
  });

  it('should print the emulated Rocket.Chat page to open and the demo credentials', async () => {
    expect(run.output).toContain('Log in as:   demo / demo-password');
    const page = await fetch(`${rcUrl}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    // The page is configured for iframe login against this bridge.
    expect(html).toContain(`${bridgeUrl}/login/?next=/rocketchat/redirect`);
    expect(html).toContain(`${bridgeUrl}/rocketchat/api`);
  });

  it('should let the demo user log in through the login form and get a Rocket.Chat login from the API URL', async () => {
    const browser = new CookieFetch();
    const form = await browser.get(
      `${bridgeUrl}/login/?next=/rocketchat/redirect`,
    );
    expect(form.status).toBe(200);
    const csrf = csrfOf(await form.text());
    const login = await browser.postForm(`${bridgeUrl}/login`, {
      csrf,
      username: 'demo',
      password: 'demo-password',
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe(
      `${bridgeUrl}/rocketchat/redirect`,
    );
    expect([...browser.cookies.keys()]).toContain('__Host-rcbridge_session');

    // What Rocket.Chat's page does next: ask the API URL, with the browser's cookies.
    const api = await browser.post(`${bridgeUrl}/rocketchat/api`, {
      origin: new URL(rcUrl).origin,
      'sec-fetch-site': 'same-site',
      'sec-fetch-mode': 'cors',
    });
    expect(api.status).toBe(200);
    const { loginToken } = (await api.json()) as { loginToken: string };
    expect(loginToken).toMatch(/^[\w-]{20,}$/);
    // The emulated Rocket.Chat accepts it, for the provisioned account of the demo user.
    const check = await rpc<{ valid: boolean; userId: string }>('checkToken', [
      loginToken,
    ]);
    expect(check.valid).toBe(true);
    const user = await rpc<{ username: string }>('getUser', [check.userId]);
    expect(user.username).toBe('demo');
  });

  it('should show a template edit at the next page load, without restarting the bridge', async () => {
    const before = await (await fetch(`${bridgeUrl}/login`)).text();
    expect(before).toContain('first version');
    writeFileSync(
      join(viewsDir, 'partials', 'footer.hbs'),
      '<p class="dev-footer">second version</p>\n',
    );
    const after = await (await fetch(`${bridgeUrl}/login`)).text();
    expect(after).toContain('second version');
    expect(after).not.toContain('first version');
    expect(alive(bridgePid)).toBe(true);
    expect(run.output.match(/bridge pid \d+/g)).toHaveLength(1);
  });

  it('should restart the bridge when a message file changes (messages are read at start-up)', async () => {
    mkdirSync(join(viewsDir, 'locales'));
    writeFileSync(
      join(viewsDir, 'locales', 'en.json'),
      JSON.stringify({ login: { heading: 'Sign in to the dev chat' } }),
    );
    const second = Number(
      (await waitFor(run, /bridge pid (\d+)[\s\S]*bridge pid (\d+)/))[2],
    );
    expect(second).not.toBe(bridgePid);
    expect(alive(bridgePid)).toBe(false);
    bridgePid = second;
    const page = await (await fetch(`${bridgeUrl}/login`)).text();
    expect(page).toContain('Sign in to the dev chat');
  });

  it('should stop the bridge, the emulator and the database on Ctrl-C and leave nothing running', async () => {
    // Without MONGODB_URI the script starts FerretDB and prints its pid.
    const started = [
      bridgePid,
      ...[...run.output.matchAll(/FerretDB v1 at \S+ \(pid (\d+)\)/g)].map(
        (match) => Number(match[1]),
      ),
    ];
    const bridgePort = Number(new URL(bridgeUrl).port);
    const rcPort = Number(new URL(rcUrl).port);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.output).toContain('dev: stopped');
    expect(started.filter(alive)).toEqual([]);
    expect(await accepts(bridgePort)).toBe(false);
    expect(await accepts(rcPort)).toBe(false);
  });
});
