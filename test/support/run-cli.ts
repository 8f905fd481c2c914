import { spawn } from 'node:child_process';

// The built artefact (`npm test` builds first), run as an operator would: `rc-bridge …`.
const BIN = new URL('../../bin/rc-bridge.js', import.meta.url).pathname;

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `rc-bridge <args>` in its own process, with only the environment given (no session secret). */
export function runCli(
  args: readonly string[],
  env: Record<string, string>,
  stdin = '',
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `rc-bridge ${args.join(' ')}: no exit within 25 s\n${stdout}\n${stderr}`,
        ),
      );
    }, 25_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}
