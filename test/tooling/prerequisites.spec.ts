import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  missingPrerequisites,
  thisMachine,
  type MachineProbe,
} from '../support/prerequisites.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

/** A machine with everything, changed where a test says so. */
function machine(changes: Partial<MachineProbe> = {}): MachineProbe {
  return {
    nodeVersion: '24.3.0',
    nodeRange: '>=24',
    env: {},
    goRequired: '1.24',
    goVersion: () => '1.26.8',
    ferretDbBuilt: () => false,
    mongodCached: () => Promise.resolve(false),
    exists: () => true,
    onPath: () => true,
    ...changes,
  };
}

const lines = async (probe: MachineProbe) =>
  (await missingPrerequisites(probe)).map(
    (m) => `${m.fatal ? 'stop' : 'warn'}: ${m.line}`,
  );

describe('prerequisites of the test run (said once, in the global setup)', () => {
  it('should say nothing on a complete machine', async () => {
    expect(await lines(machine())).toEqual([]);
  });

  it('should stop on a Node older than package.json asks for', async () => {
    expect(
      await lines(machine({ nodeVersion: '20.19.2', nodeRange: '>=24' })),
    ).toEqual([
      'stop: Node.js 24 or later: this is Node 20.19.2, package.json asks for >=24 (install it from nodejs.org or your package manager)',
    ]);
    expect(
      await lines(machine({ nodeVersion: '20.19.2', nodeRange: '>=20.19' })),
    ).toEqual([]);
  });

  it('should stop without Go when nothing else can provide the database', async () => {
    const noGo = machine({ goVersion: () => undefined });
    expect(await lines(noGo)).toEqual([
      'stop: Go 1.24 or later: no MONGODB_URI is set, so the tests build their FerretDB server with Go (install it from go.dev/dl, set GO=/path/to/go, or set MONGODB_URI to a MongoDB server)',
    ]);
    // Not needed with a MongoDB, a FerretDB built before, or a cached mongod.
    for (const other of [
      machine({
        goVersion: () => undefined,
        env: { MONGODB_URI: 'mongodb://db' },
      }),
      machine({ goVersion: () => undefined, ferretDbBuilt: () => true }),
      machine({
        goVersion: () => undefined,
        mongodCached: () => Promise.resolve(true),
      }),
    ]) {
      expect(await lines(other)).toEqual([]);
    }
    // Debian bookworm's golang-go is 1.19: too old, and too old to fetch a newer toolchain itself.
    expect(await lines(machine({ goVersion: () => '1.19.8' }))).toEqual([
      "stop: Go 1.24 or later: this Go is 1.19.8, too old to build the tests' FerretDB server (install a newer one from go.dev/dl, or set MONGODB_URI to a MongoDB server)",
    ]);
    expect(await lines(machine({ goVersion: () => '1.22.1' }))).toEqual([]);
  });

  it('should name a missing Chromium and slapd, and the tests that will fail, without stopping', async () => {
    expect(
      await lines(
        machine({
          exists: (path) =>
            path !== '/usr/bin/chromium' && path !== '/usr/sbin/slapd',
          onPath: (command) => command !== 'slapd',
        }),
      ),
    ).toEqual([
      'warn: Chromium at /usr/bin/chromium: the browser tests (test/browser/, test/security/page-csp-chromium.spec.ts) will fail (apt-get install chromium, or set CHROMIUM_PATH)',
      "warn: OpenLDAP's slapd: the LDAP tests will fail (apt-get install slapd ldap-utils)",
    ]);
    expect(
      await lines(
        machine({
          env: { CHROMIUM_PATH: '/opt/chrome/chrome' },
          exists: (path) => path !== '/opt/chrome/chrome',
        }),
      ),
    ).toEqual([
      'warn: Chromium at /opt/chrome/chrome: the browser tests (test/browser/, test/security/page-csp-chromium.spec.ts) will fail (apt-get install chromium, or set CHROMIUM_PATH)',
    ]);
  });

  it('should compare versions by their numbers', () => {
    expect(compareVersions('1.9', '1.10')).toBeLessThan(0);
    expect(compareVersions('v24.0.0', '24')).toBe(0);
    expect(compareVersions('20.19.1', '20.19')).toBeGreaterThan(0);
  });

  it('should read this machine as the run does', async () => {
    const probe = thisMachine();
    expect(probe.nodeVersion).toBe(process.versions.node);
    expect(probe.nodeRange).toMatch(/^>=\s*\d/);
    expect(probe.goRequired).toMatch(/^1\.\d+/);
    // This run got past the global setup, so nothing fatal is missing here.
    expect((await missingPrerequisites(probe)).filter((m) => m.fatal)).toEqual(
      [],
    );
  });

  it('should stop `vitest run` with one line per missing prerequisite before any test runs', () => {
    // A machine without Go, without a FerretDB built before, and without Chromium.
    const empty = mkdtempSync(join(tmpdir(), 'rc-bridge-prereq-'));
    try {
      const run = spawnSync(
        process.execPath,
        [VITEST, 'run', 'test/users/users-repository.spec.ts'],
        {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            HOME: empty,
            XDG_CACHE_HOME: empty,
            MONGOMS_DOWNLOAD_DIR: empty,
            GO: join(empty, 'no-go'),
            CHROMIUM_PATH: join(empty, 'no-chromium'),
          },
        },
      );
      const output = `${run.stdout}${run.stderr}`;
      expect(run.status).not.toBe(0);
      expect(output).toMatch(
        /\[prerequisites\] missing: Go [\d.]+ or later: no MONGODB_URI is set/,
      );
      expect(output).toContain(
        `[prerequisites] missing: Chromium at ${join(empty, 'no-chromium')}: the browser tests`,
      );
      expect(output).toContain('Not running the tests');
      expect(output).not.toContain('[test-mongo]');
      expect(output).not.toMatch(/✓/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 90_000);
});
