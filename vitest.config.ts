import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // SWC, as in `nest build -b swc`, so decorator metadata (Nest's DI) behaves the same in tests.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Files run in separate processes, each with its own databases on the shared server.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    restoreMocks: true,
    // expect.poll waits for background work (revocations, sweeps); on a loaded 2-core runner that
    // can take more than the 1 s default. A poll returns as soon as its condition holds.
    expect: { poll: { timeout: 10_000 } },
  },
});
