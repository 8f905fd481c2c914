import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// `npm run test:unit`: the fast lane, under a minute without a build, MongoDB or a browser. The unit
// specs next to the code (src/) and the test/ files that need none of those; `npm test` runs these
// too, with everything else. A test/ file that needs no database, no dist/ and no browser belongs in
// this list.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: [
      'src/**/*.spec.ts',
      'test/config/*.spec.ts',
      'test/security/checklist-mapping.spec.ts',
      'test/session/session-ids.spec.ts',
      'test/tooling/check-imports.spec.ts',
    ],
    pool: 'threads',
    isolate: false,
    testTimeout: 30_000,
    restoreMocks: true,
  },
});
