import { Readable, Writable } from 'node:stream';
import { runCli } from '../../src/cli/cli.js';
import { COMMAND_GROUPS } from '../../src/cli/command-groups.js';
import type { Env } from '../../src/config/index.js';
import type {
  CheckResult,
  CheckStatus,
} from '../../src/doctor/doctor-check.js';

export interface DoctorRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly checks: readonly CheckResult[];
  /** The status of the line with this id (the first, when there are several). */
  status(id: string): CheckStatus | undefined;
  line(id: string): CheckResult | undefined;
}

/**
 * `rc-bridge doctor --json [args]` in this process (the same code path as the binary, through
 * runCli), with `env` as its whole environment.
 */
export async function doctor(
  env: Env,
  args: readonly string[] = [],
): Promise<DoctorRun> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const code = await runCli(
    ['doctor', '--json', ...args],
    {
      stdin: Readable.from([]),
      stdout: sink((t) => (stdout += t)),
      stderr: sink((t) => (stderr += t)),
    },
    env,
    COMMAND_GROUPS,
    '0.0.0-test',
  );
  const parsed = JSON.parse(stdout) as { checks: CheckResult[] };
  const checks = parsed.checks;
  return {
    code,
    stdout,
    stderr,
    checks,
    status: (id) => checks.find((c) => c.id === id)?.status,
    line: (id) => checks.find((c) => c.id === id),
  };
}
