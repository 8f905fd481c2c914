#!/usr/bin/env node
// The rocketchat-identity-bridge admin CLI. It runs the compiled code in dist/ (`npm run build`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'rc-bridge: dist/cli/main.js is missing; build the project first (npm run build)\n',
  );
  process.exit(1);
}
await import(main.href);
