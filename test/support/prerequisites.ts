import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, findGo } from '../../tools/ferretdb/ferretdb.mjs';
import { CHROMIUM } from './browser.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** What the checks look at; the real machine in a run, made up in the checks' own tests. */
export interface MachineProbe {
  readonly nodeVersion: string;
  /** package.json's `engines.node`. */
  readonly nodeRange: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The Go version FerretDB's wrapper asks for (tools/ferretdb/go.mod). */
  readonly goRequired: string;
  /** `go version`'s number, or undefined when no Go toolchain is found. */
  goVersion(): string | undefined;
  ferretDbBuilt(): boolean;
  /** mongodb-memory-server has a mongod binary cached (then neither Go nor FerretDB is needed). */
  mongodCached(): Promise<boolean>;
  exists(path: string): boolean;
  onPath(command: string): boolean;
}

export interface MissingPrerequisite {
  /** One line: what is missing, how to get it, and what fails without it. */
  readonly line: string;
  /** Whether no test can run without it (the run stops). */
  readonly fatal: boolean;
}

/** Go 1.21 and later fetch the toolchain go.mod asks for by themselves (GOTOOLCHAIN=auto). */
const GO_FETCHES_TOOLCHAINS = '1.21';

/**
 * What this machine lacks for `npm test`: Node (package.json's engines), a MongoDB-compatible
 * server (MONGODB_URI, a cached mongod, or Go to build FerretDB), Chromium (the browser tests) and
 * OpenLDAP's slapd (the LDAP tests).
 */
export async function missingPrerequisites(
  probe: MachineProbe,
): Promise<MissingPrerequisite[]> {
  const missing: MissingPrerequisite[] = [];
  const minimum = /^>=\s*v?(\d+(?:\.\d+){0,2})$/.exec(probe.nodeRange.trim());
  if (minimum && compareVersions(probe.nodeVersion, minimum[1]) < 0) {
    missing.push({
      line:
        `Node.js ${minimum[1].split('.')[0]} or later: this is Node ${probe.nodeVersion}, package.json ` +
        `asks for ${probe.nodeRange} (install it from nodejs.org or your package manager)`,
      fatal: true,
    });
  }
  if (
    !probe.env.MONGODB_URI &&
    !probe.ferretDbBuilt() &&
    !(await probe.mongodCached())
  ) {
    const go = probe.goVersion();
    if (go === undefined) {
      missing.push({
        line:
          `Go ${probe.goRequired} or later: no MONGODB_URI is set, so the tests build their FerretDB ` +
          'server with Go (install it from go.dev/dl, set GO=/path/to/go, or set MONGODB_URI to a MongoDB server)',
        fatal: true,
      });
    } else if (
      compareVersions(go, probe.goRequired) < 0 &&
      compareVersions(go, GO_FETCHES_TOOLCHAINS) < 0
    ) {
      missing.push({
        line:
          `Go ${probe.goRequired} or later: this Go is ${go}, too old to build the tests' FerretDB server ` +
          '(install a newer one from go.dev/dl, or set MONGODB_URI to a MongoDB server)',
        fatal: true,
      });
    }
  }
  const chromium = probe.env.CHROMIUM_PATH ?? CHROMIUM;
  if (!probe.exists(chromium)) {
    missing.push({
      line:
        `Chromium at ${chromium}: the browser tests (test/browser/, test/security/page-csp-chromium.spec.ts) ` +
        'will fail (apt-get install chromium, or set CHROMIUM_PATH)',
      fatal: false,
    });
  }
  if (!probe.onPath('slapd') && !probe.exists('/usr/sbin/slapd')) {
    missing.push({
      line: "OpenLDAP's slapd: the LDAP tests will fail (apt-get install slapd ldap-utils)",
      fatal: false,
    });
  }
  return missing;
}

/** The machine this run is on. */
export function thisMachine(): MachineProbe {
  const engines = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      engines?: { node?: string };
    }
  ).engines;
  const goMod = readFileSync(join(ROOT, 'tools/ferretdb/go.mod'), 'utf8');
  return {
    nodeVersion: process.versions.node,
    nodeRange: engines?.node ?? '',
    env: process.env,
    goRequired: /^go (\d+\.\d+(?:\.\d+)?)$/m.exec(goMod)?.[1] ?? '1',
    goVersion() {
      const go = findGo();
      if (!go) {
        return undefined;
      }
      const out = spawnSync(go, ['version'], { encoding: 'utf8' }).stdout;
      return /go(\d+\.\d+(?:\.\d+)?)/.exec(out ?? '')?.[1];
    },
    ferretDbBuilt: () => existsSync(join(cacheDir(), 'ferretdb')),
    async mongodCached() {
      try {
        const { DryMongoBinary } = await import('mongodb-memory-server-core');
        const options = await DryMongoBinary.generateOptions();
        return (await DryMongoBinary.locateBinary(options)) !== undefined;
      } catch {
        return false;
      }
    },
    exists: existsSync,
    onPath: (command) =>
      spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' })
        .status === 0,
  };
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b` (numeric parts). */
export function compareVersions(a: string, b: string): number {
  const left = a.replace(/^v/, '').split('.').map(Number);
  const right = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) {
      return difference;
    }
  }
  return 0;
}
