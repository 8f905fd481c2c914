// Builds (once, cached outside the checkout) and runs the embedded FerretDB v1 of main.go: a real
// MongoDB wire-protocol server with a SQLite backend, for tests and dev mode on machines where no
// MongoDB binary can be downloaded.
//
//   node tools/ferretdb/ferretdb.mjs build            build if needed, print the binary's path
//   node tools/ferretdb/ferretdb.mjs run [--port N] [--data DIR]
//                                                     run until Ctrl-C, print the URI
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The Go toolchain: $GO, `go` on PATH, or the machine's /usr/local/go. */
export function findGo() {
  if (process.env.GO) {
    return process.env.GO;
  }
  const onPath = spawnSync('go', ['version'], { stdio: 'ignore' });
  if (onPath.status === 0) {
    return 'go';
  }
  if (existsSync('/usr/local/go/bin/go')) {
    return '/usr/local/go/bin/go';
  }
  return undefined;
}

/** Cache key: the wrapper's sources and pinned module versions. */
function sourceHash() {
  const hash = createHash('sha256');
  const sources = readdirSync(here)
    .filter((file) => file.endsWith('.go'))
    .sort();
  for (const file of ['go.mod', 'go.sum', ...sources]) {
    hash.update(file).update(readFileSync(join(here, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

export function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'rocketchat-identity-bridge', 'ferretdb', sourceHash());
}

/**
 * Returns the path of the cached binary, building it first if needed. Concurrent builds are safe:
 * each writes its own temporary file and renames it into place atomically.
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {string}
 */
export function ensureBinary(options = {}) {
  const log = options.log ?? (() => {});
  const dir = cacheDir();
  const binary = join(dir, 'ferretdb');
  if (existsSync(binary)) {
    return binary;
  }
  const go = findGo();
  if (!go) {
    throw new Error(
      'FerretDB is needed for the tests (no MONGODB_URI was given) but no Go toolchain was found: ' +
        'install Go, set GO=/path/to/go, or set MONGODB_URI to a MongoDB server',
    );
  }
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.partial-${process.pid}`;
  log(`building FerretDB into ${dir} (first run only; takes about a minute)`);
  const started = Date.now();
  const result = spawnSync(
    go,
    [
      'build',
      '-trimpath',
      '-tags',
      'ferretdb_no_postgresql',
      '-o',
      partial,
      '.',
    ],
    {
      cwd: here,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    rmSync(partial, { force: true });
    throw new Error(
      `go build of FerretDB failed (exit ${result.status}):\n${result.stderr || result.error?.message || ''}`,
    );
  }
  renameSync(partial, binary);
  log(`built FerretDB in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
}

const MIN_SCRATCH_BYTES = 2 * 1024 ** 3;

/**
 * Where throwaway databases live: memory (/dev/shm) when it has 2 GiB free. SQLite on disk syncs
 * every commit (measured here: 1.6 k inserts/s on disk, 6.3 k/s in memory); MongoDB acknowledges
 * a default write (w:1) before its journal is flushed, so memory is the closer model of its costs.
 */
function scratchDir() {
  const shm = '/dev/shm';
  try {
    accessSync(shm, constants.W_OK);
    // Containers often get a 64 MiB /dev/shm: too small for a test run's databases.
    const { bavail, bsize } = statfsSync(shm);
    return bavail * bsize >= MIN_SCRATCH_BYTES ? shm : tmpdir();
  } catch {
    return tmpdir();
  }
}

/**
 * Starts a FerretDB server. It exits by itself when this process dies (it watches its stdin).
 * `ttlIndexes: false` refuses TTL indexes as FerretDB itself does (to test a fallback);
 * `ttlMonitorSleepSecs` is mongod's parameter of that name (default 60); `serialiseWrites: false`
 * and `binary` (another build) are for the throughput comparison in docs/testing.md.
 * @param {{ port?: number, dataDir?: string, logLevel?: string, binary?: string,
 *   ttlIndexes?: boolean, ttlMonitorSleepSecs?: number, serialiseWrites?: boolean }} [options]
 */
export async function startFerretDb(options = {}) {
  const binary = options.binary ?? ensureBinary();
  const ownDataDir = options.dataDir === undefined;
  const dataDir =
    options.dataDir ?? mkdtempSync(join(scratchDir(), 'rcbridge-ferretdb-'));
  let port = options.port ?? 0;
  let child;
  const stopping = new WeakSet();

  async function start() {
    child = spawn(
      binary,
      [
        '-listen',
        `127.0.0.1:${port}`,
        '-data',
        dataDir,
        '-log-level',
        options.logLevel ?? 'error',
        ...(options.ttlIndexes === false ? ['-ttl=false'] : []),
        ...(options.ttlMonitorSleepSecs === undefined
          ? []
          : ['-ttl-monitor-sleep-secs', String(options.ttlMonitorSleepSecs)]),
        ...(options.serialiseWrites === false
          ? ['-serialise-writes=false']
          : []),
      ],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const uri = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(
        () =>
          reject(new Error(`FerretDB did not start within 30 s: ${stderr}`)),
        30_000,
      );
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const match = /^ready (\S+)/m.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(
            `FerretDB exited with code ${code} before it was ready: ${stderr}`,
          ),
        );
      });
    });
    port = Number(new URL(uri).port);
    // A server that dies on its own (not through stop) says why: its tests would only see refusals.
    const started = child;
    started.once('exit', (code, signal) => {
      if (!stopping.has(started)) {
        process.stderr.write(
          `FerretDB test server on port ${port} exited by itself (code ${code}, signal ${signal}): ${stderr}\n`,
        );
      }
    });
    return uri;
  }

  async function stop(signal = 'SIGTERM') {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    stopping.add(proc);
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  const uri = await start();
  return {
    kind: 'ferretdb',
    uri,
    get port() {
      return port;
    },
    get pid() {
      return child?.pid;
    },
    dataDir,
    /** Stops the server; the data directory stays, so `restart` brings the same data back. */
    stop,
    /** Starts it again on the same port and data directory. */
    restart: start,
    /** Stops it and deletes its data (if this call created the directory). */
    async dispose() {
      await stop();
      if (ownDataDir) {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

function arg(name) {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const command = process.argv[2];
  if (command === 'build') {
    process.stdout.write(
      `${ensureBinary({ log: (line) => process.stderr.write(`${line}\n`) })}\n`,
    );
  } else if (command === 'run') {
    const server = await startFerretDb({
      port: arg('--port') ? Number(arg('--port')) : 27017,
      dataDir: arg('--data'),
      logLevel: 'warn',
    });
    process.stdout.write(`FerretDB listening: ${server.uri}\n`);
    const shutdown = () => void server.dispose().then(() => process.exit(0));
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  } else {
    process.stderr.write(
      'usage: ferretdb.mjs build | run [--port N] [--data DIR]\n',
    );
    process.exit(2);
  }
}
