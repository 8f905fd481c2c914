import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli as rcBridge } from '../support/run-cli.js';
import { freshDatabaseUri } from '../support/mongo.js';

const BIN = new URL('../../bin/rc-bridge.js', import.meta.url).pathname;

/** The exit codes docs/cli.md documents, from its table. */
function documentedCodes(): number[] {
  const doc = readFileSync(
    new URL('../../docs/cli.md', import.meta.url),
    'utf8',
  );
  const table = doc.slice(doc.indexOf('**Exit codes**'));
  return [...table.matchAll(/^\| `(\d+)` \|/gm)].map((m) => Number(m[1]));
}

/**
 * `rc-bridge users add <name>` on a terminal (util-linux `script` provides one), cancelled with
 * Ctrl-C at the password prompt: the exit code `script` passes on.
 */
function cancelledPrompt(env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const command = `${process.execPath} ${BIN} users add carol`;
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let sent = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no prompt or no exit:\n${output}`));
    }, 25_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!sent && output.includes('Password: ')) {
        sent = true;
        child.stdin.write('abc\u0003');
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('rc-bridge exit codes (as docs/cli.md documents them)', () => {
  it('should exit with every documented code, and only with those', async () => {
    const { uri } = freshDatabaseUri('exitcodes');
    const db = { MONGODB_URI: uri, MONGO_SERVER_SELECTION_TIMEOUT: '2s' };
    const cases: [string, () => Promise<number | null>][] = [
      ['--version', async () => (await rcBridge(['--version'], {})).code],
      [
        'users list --json',
        async () => (await rcBridge(['users', 'list', '--json'], db)).code,
      ],
      [
        'completion fish',
        async () => (await rcBridge(['completion', 'fish'], {})).code,
      ],
      [
        'users passwd of nobody',
        async () =>
          (await rcBridge(['users', 'passwd', 'nobody'], db, 'x\n')).code,
      ],
      [
        'doctor without configuration',
        async () => (await rcBridge(['doctor'], {})).code,
      ],
      [
        'an unknown command',
        async () => (await rcBridge(['frobnicate'], {})).code,
      ],
      [
        'an unknown option',
        async () => (await rcBridge(['users', 'list', '--csv'], db)).code,
      ],
      [
        'a shell it does not know',
        async () => (await rcBridge(['completion', 'tcsh'], {})).code,
      ],
      [
        'locks clear of neither a name nor an address',
        async () => (await rcBridge(['locks', 'clear', 'two words'], db)).code,
      ],
    ];
    const haveScript =
      spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
    if (haveScript) {
      cases.push(['Ctrl-C at the password prompt', () => cancelledPrompt(db)]);
    } else {
      process.stderr.write(
        'exit-codes.spec: util-linux `script` is missing: the Ctrl-C case (130) is not run\n',
      );
    }
    const codes: Record<string, number | null> = {};
    for (const [name, run] of cases) {
      codes[name] = await run();
    }
    expect(codes).toEqual({
      '--version': 0,
      'users list --json': 0,
      'completion fish': 0,
      'users passwd of nobody': 1,
      'doctor without configuration': 1,
      'an unknown command': 2,
      'an unknown option': 2,
      'a shell it does not know': 2,
      'locks clear of neither a name nor an address': 2,
      ...(haveScript ? { 'Ctrl-C at the password prompt': 130 } : {}),
    });
    const seen = new Set(Object.values(codes));
    expect([...seen].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      haveScript
        ? documentedCodes()
        : documentedCodes().filter((c) => c !== 130),
    );
  }, 180_000);
});
