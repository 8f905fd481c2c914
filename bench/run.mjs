#!/usr/bin/env node
// `npm run bench`: the bridge from dist/ on a real MongoDB (FerretDB, or MONGODB_URI) with the
// Rocket.Chat emulator, measured with autocannon against bare-Fastify baselines started in the
// same run. `--short` (or BENCH_SHORT=1): a quick pass for CI, nothing written, no thresholds.
// The full run writes bench/results.md (numbers, machine, date, commit; notes kept).
//
//   npm run bench -- [--short] [--rounds N] [--no-build] [--cpu-prof] [--out FILE]
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  addBridgeUser,
  compileEmulator,
  compileModule,
  databaseUri,
  freePort,
  randomSecret,
  ROOT,
  startBridge,
  sleep,
  startMongo,
} from '../scripts/dev-stack.mjs';
import { machineBusy, spawnNode, waitForQuiet } from './processes.mjs';
import { writeReport, printSummary } from './report.mjs';
import {
  apiWarmPath,
  loginPageVsHello,
  loginStorm,
  loginsVsArgon2,
  memory,
} from './scenarios.mjs';

const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: process.env.BENCH_SHORT === '1' },
    rounds: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    // Linux perf can name the bridge's JS functions (perf record -g -p <bridge pid>).
    'perf-map': { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'bench', 'results.md') },
    // Profiling aid: run one scenario (login-page, api, logins, storm, memory) and write nothing.
    only: { type: 'string' },
  },
});

const MODES = {
  short: {
    rounds: 1,
    duration: 2,
    connections: 10,
    loginConnections: 8,
    stormConnections: 16,
    stormDuration: 3,
    stormPageRate: 20,
    rssRuns: 2,
    rssRequests: 3000,
    apiChunk: 5000,
  },
  full: {
    rounds: 3,
    duration: 10,
    connections: 10,
    loginConnections: 8,
    stormConnections: 32,
    stormDuration: 15,
    stormPageRate: 20,
    rssRuns: 3,
    rssRequests: 100_000,
    apiChunk: 10_000,
  },
};
const mode = { ...MODES[args.short ? 'short' : 'full'] };
if (args.rounds) {
  mode.rounds = Number(args.rounds);
}
// Profiling aids: more or longer memory runs than the mode's.
if (process.env.BENCH_RSS_RUNS) {
  mode.rssRuns = Number(process.env.BENCH_RSS_RUNS);
}
if (process.env.BENCH_RSS_REQUESTS) {
  mode.rssRequests = Number(process.env.BENCH_RSS_REQUESTS);
}

const machineBusyNow = () => machineBusy(300);
/**
 * The heap limits docs/deployment.md recommends (V8 otherwise lets garbage grow to ~250 MB before
 * a full collection; the live heap is ~50 MB). BENCH_NODE_ARGS replaces them ('' for none).
 */
const NODE_FLAGS = (
  process.env.BENCH_NODE_ARGS ??
  '--max-old-space-size=128 --max-semi-space-size=8'
)
  .split(' ')
  .filter(Boolean);
const BENCH_USER = { username: 'bench', password: 'bench-password-0123' };
const say = (line) => process.stdout.write(`bench: ${line}\n`);
const cleanups = [];

async function main() {
  const started = Date.now();
  if (!args['no-build']) {
    const build = spawnSync('npm', ['run', '-s', 'build'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (build.status !== 0) {
      throw new Error('npm run build failed');
    }
  }
  process.chdir(ROOT);
  const entry = await compileEmulator(
    join(ROOT, '.cache', 'bench', 'rc-emulator'),
  );
  const mongo = await startMongo({ log: say });
  cleanups.push(() => mongo.stop());
  const suffix = randomSecret(4).replace(/[^A-Za-z0-9]/g, 'x');
  const createTokensSecret = randomSecret();

  const emulator = spawnNode([
    'bench/emulator-process.mjs',
    entry,
    databaseUri(mongo.uri, `bench_rc_${suffix}`),
    createTokensSecret,
  ]);
  cleanups.push(() => emulator.stop());
  const rc = JSON.parse(await emulator.firstLine);

  const baseline = spawnNode([
    'bench/baseline-server.mjs',
    databaseUri(mongo.uri, `bench_baseline_${suffix}`),
    rc.url,
  ]);
  cleanups.push(() => baseline.stop());
  const baselinePort = Number((await baseline.firstLine).split(' ')[1]);
  const nestHello = spawnNode([
    await compileModule(
      join(ROOT, 'bench', 'nest-hello.ts'),
      join(ROOT, '.cache', 'bench', 'nest-hello.mjs'),
    ),
  ]);
  cleanups.push(() => nestHello.stop());
  const nestPort = Number((await nestHello.firstLine).split(' ')[1]);

  const port = await freePort();
  const metricsPort = await freePort();
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://localhost:${port}`,
    METRICS_PORT: String(metricsPort),
    METRICS_HOST: '127.0.0.1',
    MONGODB_URI: databaseUri(mongo.uri, `bench_bridge_${suffix}`),
    ROCKETCHAT_URL: rc.url,
    ROCKETCHAT_USER_ID: rc.userId,
    ROCKETCHAT_AUTH_TOKEN: rc.pat,
    CREATE_TOKENS_FOR_USERS_SECRET: createTokensSecret,
    SESSION_SECRET: randomSecret(),
    TOKEN_ENCRYPTION_KEY: randomSecret(),
    // All load comes from one address: the per-address limits stay on (their MongoDB work is part
    // of every login and API URL call) but so high that they never refuse.
    RATE_LIMIT_FORMS: '9999999/1m',
    RATE_LIMIT_API_URL: process.env.BENCH_API_LIMIT ?? '9999999/1m',
    // Profiling aid: glibc's malloc settings reach the bridge (MALLOC_ARENA_MAX and the like).
    ...Object.fromEntries(
      Object.entries(process.env).filter(([name]) =>
        name.startsWith('MALLOC_'),
      ),
    ),
  };
  const profDir = join(ROOT, '.cache', 'bench', 'prof');
  if (args['cpu-prof']) {
    mkdirSync(profDir, { recursive: true });
  }
  const bridge = await startBridge({
    env,
    port,
    nodeArgs: [
      ...(args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
      ...(args['perf-map'] ? ['--perf-basic-prof-only-functions'] : []),
      ...NODE_FLAGS,
    ],
    onLine: (line) => process.stderr.write(`[bridge] ${line}\n`),
  });
  cleanups.push(() => bridge.stop());
  await addBridgeUser(env, BENCH_USER);
  say(
    `stack up: bridge pid ${bridge.pid}, emulator ${rc.url}, MongoDB ${mongo.kind}`,
  );

  const bridgeUrl = `http://127.0.0.1:${port}`;
  const ctx = {
    bridgeUrl,
    baselineUrl: `http://127.0.0.1:${baselinePort}`,
    bridgePid: bridge.pid,
    baselinePid: baseline.child.pid,
    // The bridge's own rule (dist/ is built): how many hashes it runs at once.
    hashSlots: (
      await import(
        pathToFileURL(join(ROOT, 'dist', 'users', 'passwords', 'hash-slots.js'))
          .href
      )
    ).defaultHashSlots(),
    nestUrl: `http://127.0.0.1:${nestPort}`,
    nestPid: nestHello.child.pid,
    mongoPid: mongo.pid,
    rcUrl: rc.url,
    /** Busy share of the machine seen before each measurement (full mode waits for quiet). */
    busyBefore: [],
    async quiet() {
      const busy = args.short
        ? await machineBusyNow()
        : await waitForQuiet({ threshold: 0.15, maxMs: 90_000 });
      this.busyBefore.push(busy);
    },
    async scrape() {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      return response.text();
    },
    /** autocannon options for the login form's POST, with a valid login-flow cookie and token. */
    async loginForm() {
      const page = await fetch(`${bridgeUrl}/login/?next=/rocketchat/redirect`);
      const html = await page.text();
      const csrf = /name="csrf" value="([^"]*)"/.exec(html)?.[1];
      const cookie = page.headers
        .getSetCookie()
        .map((line) => line.split(';')[0])
        .join('; ');
      if (!csrf || !cookie) {
        throw new Error('the login page carried no CSRF token or cookie');
      }
      return {
        url: `${bridgeUrl}/login`,
        method: 'POST',
        headers: {
          cookie,
          'content-type': 'application/x-www-form-urlencoded',
          'sec-fetch-site': 'same-origin',
        },
        body: new URLSearchParams({ csrf, ...BENCH_USER }).toString(),
      };
    },
    /** The emulator's control API (call log), over HTTP. */
    async rc(method, rpcArgs = []) {
      const response = await fetch(`${rc.url}/__emulator/rpc/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ args: rpcArgs }),
      });
      return (await response.json()).result;
    },
    /**
     * A fresh session whose token was just handed out by the API URL: autocannon options for
     * calling it again (Rocket.Chat's page origin, the session cookie, the same token expected).
     */
    async warmApiCall() {
      const form = await this.loginForm();
      const login = await fetch(form.url, {
        method: 'POST',
        headers: form.headers,
        body: form.body,
        redirect: 'manual',
      });
      const cookie = login.headers
        .getSetCookie()
        .map((line) => line.split(';')[0])
        .filter((pair) => !pair.endsWith('='))
        .join('; ');
      const headers = {
        cookie,
        origin: rc.url,
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'cors',
      };
      const url = `${bridgeUrl}/rocketchat/api`;
      const first = await fetch(url, { method: 'POST', headers });
      const body = await first.text();
      if (first.status !== 200 || !body.includes('loginToken')) {
        throw new Error(`the API URL answered ${first.status} after a login`);
      }
      return {
        request: {
          url,
          method: 'POST',
          headers,
          expectBody: body,
          ok: (status) => status === 200,
        },
      };
    },
  };

  const loadBefore = (await import('node:os')).loadavg();
  say('warm-up');
  await loginPageVsHello(ctx, { ...mode, rounds: 1, duration: 1 });
  if (args.only) {
    const scenario = {
      'login-page': loginPageVsHello,
      api: apiWarmPath,
      logins: loginsVsArgon2,
      storm: loginStorm,
      memory,
    }[args.only];
    if (!scenario) {
      throw new Error(`--only: unknown scenario ${args.only}`);
    }
    say(args.only);
    process.stdout.write(
      `${JSON.stringify(await scenario(ctx, mode), null, 2)}\n`,
    );
    return;
  }
  const results = { mode: args.short ? 'short' : 'full', settings: mode };
  say('GET /login vs bare Fastify hello');
  results.loginPage = await loginPageVsHello(ctx, mode);
  say('API URL warm path vs bare Fastify with the same I/O');
  results.api = await apiWarmPath(ctx, mode);
  // Before the logins, so that each phase starts from about the same database (the login phases
  // leave thousands of sessions behind).
  say(`memory (${mode.rssRuns} x ${mode.rssRequests} requests)`);
  results.memory = await memory(ctx, mode);
  say('POST /login vs raw argon2 verify');
  results.logins = await loginsVsArgon2(ctx, mode);
  say('login storm');
  await sleep(2000); // the previous phase's last requests finish first
  results.storm = await loginStorm(ctx, mode);
  await sleep(2000);
  results.loadavg = {
    before: loadBefore,
    after: (await import('node:os')).loadavg(),
  };
  results.mongo = mongo.kind;
  results.nodeFlags = NODE_FLAGS;
  results.busyBefore = ctx.busyBefore;
  results.elapsedS = (Date.now() - started) / 1000;

  printSummary(results);
  if (!args.short) {
    writeReport(args.out, results);
    say(`wrote ${args.out}`);
  }
}

async function stopAll() {
  for (const cleanup of cleanups.toReversed()) {
    try {
      await cleanup();
    } catch (error) {
      process.stderr.write(`bench: clean-up failed: ${error.message}\n`);
    }
  }
}

process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
try {
  await main();
  await stopAll();
} catch (error) {
  process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
  await stopAll();
  process.exit(1);
}
