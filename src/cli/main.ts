import { createRequire } from 'node:module';
import { processEnv } from '../config/index.js';
import { runCli } from './cli.js';
import { COMMAND_GROUPS } from './command-groups.js';

/** `rc-bridge`: the admin CLI (bin/rc-bridge.js loads this file from dist/). */
async function main(): Promise<void> {
  const { version } = createRequire(import.meta.url)('../../package.json') as {
    version: string;
  };
  const code = await runCli(
    process.argv.slice(2),
    { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
    processEnv(),
    COMMAND_GROUPS,
    version,
  );
  process.exitCode = code;
  // Normally nothing is left running; should a handle linger (a driver timer), do not hang.
  setTimeout(() => process.exit(code), 2000).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `rc-bridge: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
