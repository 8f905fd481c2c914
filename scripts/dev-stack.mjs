// The pieces `npm run dev` and `npm run bench` start: a MongoDB (FerretDB from tools/ferretdb, or
// MONGODB_URI), the Rocket.Chat emulator of test/rc-emulator (compiled with swc, run in this
// process) and the bridge from dist/ as a child process. Plain Node, no test framework.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Random text for the secrets of a throw-away stack (never reused across runs). */
export function randomSecret(bytes = 32) {
  return randomBytes(bytes).toString('base64url');
}

/** A port free right now on 127.0.0.1 (another process could take it before we do; fine here). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Compiles the emulator (TypeScript under test/rc-emulator, specs and vitest helpers left out)
 * into `outDir` with swc, keeping its layout and `.js` imports. Returns the entry module's URL.
 */
export async function compileEmulator(outDir) {
  const { transformFile } = await import('@swc/core');
  const source = join(ROOT, 'test', 'rc-emulator');
  rmSync(outDir, { recursive: true, force: true });
  const files = listTs(source).filter(
    (file) => !file.endsWith('.spec.ts') && !file.endsWith('test-helpers.ts'),
  );
  for (const file of files) {
    const { code } = await transformFile(file, {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
      sourceMaps: false,
      swcrc: false,
    });
    const target = join(outDir, relative(source, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
  // Resolves fastify and mongodb from the checkout's node_modules (outDir is inside it).
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}\n');
  return pathToFileURL(join(outDir, 'index.js')).href;
}

/** Compiles one TypeScript file with decorators (Nest) into an ES module at `outFile`. */
export async function compileModule(file, outFile) {
  const { transformFile } = await import('@swc/core');
  const { code } = await transformFile(file, {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'es6' },
    sourceMaps: false,
    swcrc: false,
  });
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, code);
  return outFile;
}

function listTs(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return listTs(path);
    }
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * A MongoDB for the stack: MONGODB_URI when given (its server, one database per use), otherwise
 * an embedded FerretDB v1 on a free port with a temporary data directory, deleted on stop.
 */
export async function startMongo({ env = process.env, log = () => {} } = {}) {
  if (env.MONGODB_URI) {
    log('MongoDB: using MONGODB_URI');
    return {
      kind: 'external',
      uri: stripDatabase(env.MONGODB_URI),
      pid: undefined,
      stop: async () => {},
    };
  }
  const { startFerretDb } = await import('../tools/ferretdb/ferretdb.mjs');
  const server = await startFerretDb({ logLevel: 'error' });
  log(`MongoDB: FerretDB v1 at ${server.uri} (pid ${server.pid})`);
  return {
    kind: 'ferretdb',
    uri: server.uri,
    pid: server.pid,
    stop: () => server.dispose(),
  };
}

/** `mongodb://host:port/db?x` + `name` → `mongodb://host:port/name?x`. */
export function databaseUri(serverUri, name) {
  const at = serverUri.indexOf('?');
  const base = at === -1 ? serverUri : serverUri.slice(0, at);
  const query = at === -1 ? '' : serverUri.slice(at);
  return `${base.replace(/\/$/, '')}/${name}${query}`;
}

function stripDatabase(uri) {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  return match ? `${match[1]}${match[2] ?? ''}` : uri;
}

/**
 * Starts the emulator in this process from its compiled entry, with an admin account holding a
 * personal access token (what the bridge authenticates with).
 */
export async function startEmulator(entryUrl, options) {
  const { startRocketChatEmulator } = await import(entryUrl);
  const rc = await startRocketChatEmulator(options);
  const admin = await rc.control.createAdmin({ username: 'bridge-admin' });
  return { rc, admin };
}

/**
 * Runs `node dist/main.js` with `env` (nothing inherited but PATH and HOME) and waits until
 * /health/live answers. Output lines go to `onLine`. Rejects if it exits first.
 */
export async function startBridge({
  env,
  port,
  onLine = () => {},
  nodeArgs = [],
  timeoutMs = 30_000,
}) {
  const child = spawn(
    process.execPath,
    [...nodeArgs, join(ROOT, 'dist', 'main.js')],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a terminal's Ctrl-C reaches the supervisor, which stops it in order.
      detached: true,
    },
  );
  forwardLines(child.stdout, onLine);
  forwardLines(child.stderr, onLine);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + timeoutMs;
  let early;
  void exited.then((outcome) => {
    early = outcome;
  });
  for (;;) {
    if (early) {
      throw new Error(
        `the bridge exited before it was ready (code ${early.code}, signal ${early.signal})`,
      );
    }
    if (await answers(`http://127.0.0.1:${port}/health/live`)) {
      break;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the bridge did not answer within ${timeoutMs} ms`);
    }
    await sleep(100);
  }
  return {
    pid: child.pid,
    exited,
    /** SIGTERM (the bridge drains and exits), SIGKILL after `graceMs`. */
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) {
        return exited;
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const outcome = await exited;
      clearTimeout(timer);
      return outcome;
    },
  };
}

async function answers(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function forwardLines(stream, onLine) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    rest += chunk;
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      onLine(line);
    }
  });
  stream.on('end', () => {
    if (rest) {
      onLine(rest);
    }
  });
}

/**
 * `rc-bridge users add <username>` with the password on stdin, as an operator would; resolves
 * with the exit code and stderr.
 */
export function addBridgeUser(env, { username, password, name, email }) {
  const args = [join(ROOT, 'bin', 'rc-bridge.js'), 'users', 'add', username];
  if (name) {
    args.push('--name', name);
  }
  if (email) {
    args.push('--email', email);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) {
        resolve();
      } else {
        reject(
          new Error(`rc-bridge users add failed (${code}): ${stderr.trim()}`),
        );
      }
    });
    child.stdin.end(`${password}\n`);
  });
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
