import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The fast lane (`npm run test:unit`): unit specs next to the code and the test/ files that need no
 * MongoDB, no build and no browser. A test/ file that needs none of those belongs in this list.
 */
const QUICK_TEST_FILES = [
  'test/config/*.spec.ts',
  'test/security/checklist-mapping.spec.ts',
  'test/session/session-ids.spec.ts',
  'test/tooling/check-imports.spec.ts',
];

export default defineConfig({
  // SWC, as in `nest build -b swc`, so decorator metadata (Nest's DI) behaves the same in tests.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    restoreMocks: true,
    // expect.poll waits for background work (revocations, sweeps); on a loaded 2-core runner that
    // can take more than the 1 s default. A poll returns as soon as its condition holds.
    expect: { poll: { timeout: 10_000 } },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.spec.ts', ...QUICK_TEST_FILES],
          // Pure code: one module graph per worker thread instead of a process and fresh imports
          // per file. Runs first, alone, so it never competes with the timed integration tests.
          pool: 'threads',
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.spec.ts'],
          exclude: [...configDefaults.exclude, ...QUICK_TEST_FILES],
          globalSetup: ['test/support/global-setup.ts'],
          // Files run in separate processes, each with its own databases on the shared server.
          pool: 'forks',
          // Vitest's default, one file fewer than the cores, is one file at a time on 2 cores. Three
          // at a time (`npm test -- --maxWorkers=3`) took 12.7 instead of 19.7 minutes here, but
          // the machine is then CPU-bound and the timing-bound tests (fault recovery, CLI
          // start-ups) failed now and then; so the default stays (docs/testing.md).
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
