#!/usr/bin/env node
// `npm run dev`: the whole login flow on this machine, for working on the login templates.
// Starts a MongoDB (FerretDB, or MONGODB_URI), the Rocket.Chat emulator with iframe login set up,
// the bridge (dist/) with VIEWS_DIR=<your templates> and VIEWS_CACHE=false, and a demo user; prints
// the page to open. Template edits show at the next page load; a change under locales/ restarts
// the bridge (messages are read at start-up). Ctrl-C stops everything.
//
//   npm run dev -- [--views DIR] [--port 8000] [--rc-port 3000] [--no-build] [--rc-version 8.0.0]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, watch } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  addBridgeUser,
  compileEmulator,
  databaseUri,
  freePort,
  randomSecret,
  ROOT,
  startBridge,
  startEmulator,
  startMongo,
} from './dev-stack.mjs';

const DEMO_USER = {
  username: 'demo',
  password: 'demo-password',
  name: 'Demo User',
};

const { values: args } = parseArgs({
  options: {
    views: { type: 'string', default: process.env.VIEWS_DIR ?? 'dev/views' },
    port: { type: 'string', default: '8000' },
    'rc-port': { type: 'string', default: '3000' },
    'rc-version': { type: 'string', default: '8.0.0' },
    'no-build': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'usage: npm run dev -- [--views DIR] [--port 8000] [--rc-port 3000] [--rc-version 8.0.0] [--no-build] [--quiet]\n' +
      '  --views     your template folder (VIEWS_DIR), default dev/views\n' +
      '  --port      the bridge (0: any free port); --rc-port the emulated Rocket.Chat\n' +
      '  --no-build  use dist/ as it is; --quiet hides the bridge log\n' +
      '  MONGODB_URI set: use that server instead of starting FerretDB\n',
  );
  process.exit(0);
}

const say = (line = '') => process.stdout.write(`${line}\n`);
const cleanups = [];
let stopping = false;

async function stopAll(code) {
  if (stopping) {
    return;
  }
  stopping = true;
  for (const cleanup of cleanups.toReversed()) {
    try {
      await cleanup();
    } catch (error) {
      process.stderr.write(`dev: clean-up failed: ${error.message}\n`);
    }
  }
  say('dev: stopped');
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

async function main() {
  const viewsDir = resolve(args.views);
  mkdirSync(viewsDir, { recursive: true });
  if (!statSync(viewsDir).isDirectory()) {
    throw new Error(`--views ${viewsDir} is not a directory`);
  }
  if (!args['no-build']) {
    say('dev: building (npm run build)');
    const build = spawnSync('npm', ['run', '-s', 'build'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (build.status !== 0) {
      throw new Error('npm run build failed');
    }
  }
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) {
    throw new Error('dist/main.js is missing: run without --no-build');
  }
  const port = Number(args.port) || (await freePort());
  const rcPort = Number(args['rc-port']) || (await freePort());
  const bridgeUrl = `http://localhost:${port}`;

  const emulatorEntry = await compileEmulator(
    join(ROOT, '.cache', 'dev', 'rc-emulator'),
  );
  const mongo = await startMongo({ log: (line) => say(`dev: ${line}`) });
  cleanups.push(() => mongo.stop());

  const createTokensSecret = randomSecret();
  const suffix = randomSecret(4).replace(/[^A-Za-z0-9]/g, 'x');
  const { rc, admin } = await startEmulator(emulatorEntry, {
    mongoUri: databaseUri(mongo.uri, `dev_rocketchat_${suffix}`),
    host: 'localhost',
    port: rcPort,
    version: args['rc-version'],
    env: {
      CREATE_TOKENS_FOR_USERS: 'true',
      CREATE_TOKENS_FOR_USERS_SECRET: createTokensSecret,
    },
  });
  cleanups.push(() => rc.close());
  rc.control.configureIframe({
    iframeUrl: `${bridgeUrl}/login/?next=/rocketchat/redirect`,
    apiUrl: `${bridgeUrl}/rocketchat/api`,
    apiMethod: 'POST',
  });

  const env = {
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    HOST: 'localhost',
    PORT: String(port),
    PUBLIC_URL: bridgeUrl,
    MONGODB_URI: databaseUri(mongo.uri, `dev_bridge_${suffix}`),
    ROCKETCHAT_URL: rc.url,
    ROCKETCHAT_USER_ID: admin.userId,
    ROCKETCHAT_AUTH_TOKEN: admin.pat,
    CREATE_TOKENS_FOR_USERS_SECRET: createTokensSecret,
    SESSION_SECRET: randomSecret(),
    TOKEN_ENCRYPTION_KEY: randomSecret(),
    VIEWS_DIR: viewsDir,
    VIEWS_CACHE: 'false',
  };
  const onLine = args.quiet ? () => {} : (line) => say(`[bridge] ${line}`);
  let bridge = await startBridge({ env, port, onLine });
  say(`dev: bridge pid ${bridge.pid}`);
  cleanups.push(() => bridge?.stop());
  // Exiting for any reason takes the bridge along (it runs in its own process group).
  process.on('exit', () => {
    try {
      if (bridge) {
        process.kill(bridge.pid, 'SIGKILL');
      }
    } catch {
      // already gone
    }
  });
  watchBridge();

  await addBridgeUser(env, DEMO_USER);

  watchLocales(viewsDir, async () => {
    say('dev: locales changed, restarting the bridge');
    const old = bridge;
    bridge = undefined;
    await old.stop();
    bridge = await startBridge({ env, port, onLine });
    say(`dev: bridge pid ${bridge.pid}`);
    watchBridge();
  });

  say();
  say('  rocketchat-identity-bridge: dev mode');
  say(
    `  Open:        ${rc.url}/   (the emulated Rocket.Chat, iframe login set up)`,
  );
  say(`  Log in as:   ${DEMO_USER.username} / ${DEMO_USER.password}`);
  say(`  Bridge:      ${bridgeUrl}/login`);
  say(
    `  Templates:   ${viewsDir} (re-read on every page; copy files from views/ to start)`,
  );
  say('  Stop:        Ctrl-C');
  say(`dev: ready ${rc.url}/`);

  function watchBridge() {
    const current = bridge;
    void current.exited.then(({ code, signal }) => {
      if (!stopping && bridge === current) {
        process.stderr.write(
          `dev: the bridge exited (code ${code}, signal ${signal}); stopping\n`,
        );
        void stopAll(1);
      }
    });
  }
}

/** Calls `onChange` (one at a time, debounced) when a file under `<views>/locales/` changes. */
function watchLocales(viewsDir, onChange) {
  let timer;
  let running = Promise.resolve();
  const watcher = watch(viewsDir, { recursive: true }, (_event, file) => {
    if (!file?.startsWith('locales')) {
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(onChange).catch((error) => {
        process.stderr.write(`dev: restart failed: ${error.message}\n`);
        void stopAll(1);
      });
    }, 200);
  });
  cleanups.push(() => {
    clearTimeout(timer);
    watcher.close();
  });
}

main().catch((error) => {
  process.stderr.write(`dev: ${error.message}\n`);
  void stopAll(1);
});
