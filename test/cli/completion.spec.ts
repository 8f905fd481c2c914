import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { COMMAND_GROUPS } from '../../src/cli/command-groups.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** `rc-bridge <args>` in this process (no command here touches MongoDB): exit code and stdout. */
async function rcBridge(
  args: string[],
): Promise<{ code: number; stdout: string }> {
  const stdout = new Capture();
  const code = await runCli(
    args,
    { stdin: new PassThrough(), stdout, stderr: new Capture() },
    {},
    COMMAND_GROUPS,
    '0.0.0-test',
  );
  return { code, stdout: stdout.text };
}

interface Listed {
  readonly path: string[];
  readonly options: string[];
}

/**
 * Every command and its options as `--help` lists them, walked from the top: what the scripts
 * must know, read independently of the code that writes them.
 */
async function walkHelp(path: string[] = []): Promise<Listed[]> {
  const { code, stdout } = await rcBridge([...path, '--help']);
  expect(code).toBe(0);
  const section = (title: string): string[] => {
    const start = stdout.indexOf(`\n${title}:\n`);
    if (start === -1) {
      return [];
    }
    const body = stdout.slice(start + title.length + 3).split('\n\n')[0];
    return body
      .split('\n')
      .filter((line) => /^ {2}\S/.test(line))
      .map((line) => line.trim().split(/\s{2,}/)[0]);
  };
  const options = section('Options').flatMap((entry) =>
    entry.split(/[ ,]+/).filter((word) => /^--?[a-zA-Z]/.test(word)),
  );
  const subcommands = section('Commands')
    .map((entry) => entry.split(' ')[0])
    .filter((name) => name !== 'help');
  const below = await Promise.all(
    subcommands.map((name) => walkHelp([...path, name])),
  );
  return [{ path, options }, ...below.flat()];
}

function shellAvailable(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0;
}

describe('rc-bridge completion bash|zsh|fish', () => {
  let listed: Listed[];
  const scripts: Record<string, string> = {};
  let dir: string;

  beforeAll(async () => {
    listed = await walkHelp();
    dir = mkdtempSync(join(tmpdir(), 'rc-bridge-completion-'));
    for (const shell of ['bash', 'zsh', 'fish']) {
      const run = await rcBridge(['completion', shell]);
      if (run.code !== 0) {
        throw new Error(`rc-bridge completion ${shell} exited ${run.code}`);
      }
      scripts[shell] = run.stdout;
      writeFileSync(join(dir, shell), run.stdout);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should find the commands to complete in the help', () => {
    const paths = listed.map((l) => l.path.join(' '));
    expect(paths).toEqual(
      expect.arrayContaining([
        '',
        'users',
        'users add',
        'users import',
        // Added to `users` by other folders' command groups (accounts/).
        'users groups',
        'users sync',
        'users test-login',
        'locks list',
        'doctor',
        'completion',
      ]),
    );
    expect(
      listed.find((l) => l.path.join(' ') === 'users add')?.options,
    ).toEqual(
      expect.arrayContaining(['--email', '--name', '--disabled', '--help']),
    );
    expect(
      listed.find((l) => l.path.join(' ') === 'users sync')?.options,
    ).toEqual(expect.arrayContaining(['--dry-run', '--json']));
  });

  it.each(['bash', 'zsh', 'fish'])(
    'should name every command and every option in the %s script',
    (shell) => {
      const script = scripts[shell];
      // Each command by its full path, which the script tracks.
      for (const { path } of listed.filter((l) => l.path.length > 0)) {
        expect(script).toContain(path.join(' '));
      }
      for (const { path, options } of listed) {
        for (const option of options) {
          const word =
            shell === 'fish'
              ? option.startsWith('--')
                ? `-l ${option.slice(2)}`
                : `-s ${option.slice(1)}`
              : option;
          expect(script, `${path.join(' ')} ${option}`).toContain(word);
        }
      }
    },
  );

  it.each([
    ['bash', ['-n']],
    ['zsh', ['-n']],
    ['fish', ['--no-execute']],
  ])('should be valid %s syntax', (shell, flags) => {
    if (!shellAvailable(shell)) {
      process.stderr.write(
        `completion.spec: ${shell} is not installed (apt-get install ${shell}): its syntax check is skipped\n`,
      );
      return;
    }
    const check = spawnSync(shell, [...flags, join(dir, shell)], {
      encoding: 'utf8',
    });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('should complete in bash: subcommands, options after option values, shells', () => {
    const complete = (words: string[]): string[] => {
      const run = spawnSync(
        'bash',
        [
          '-c',
          `source "$1"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _rc_bridge; printf '%s\\n' "\${COMPREPLY[@]}"`,
          'complete',
          join(dir, 'bash'),
        ],
        { encoding: 'utf8' },
      );
      expect(run.stderr).toBe('');
      return run.stdout.split('\n').filter((w) => w !== '');
    };
    expect(complete(['rc-bridge', ''])).toEqual(
      expect.arrayContaining([
        'users',
        'locks',
        'doctor',
        'completion',
        '--verbose',
      ]),
    );
    expect(complete(['rc-bridge', 'users', 'l'])).toEqual(['list']);
    expect(complete(['rc-bridge', 'users', 's'])).toEqual(['sync']);
    // The value of --email is not taken for a subcommand.
    expect(
      complete(['rc-bridge', '-v', 'users', 'add', '--email', 'list', '--d']),
    ).toEqual(['--disabled']);
    expect(complete(['rc-bridge', 'locks', 'list', '--'])).toEqual([
      '--json',
      '--help',
    ]);
    expect(complete(['rc-bridge', 'completion', ''])).toEqual([
      'bash',
      'zsh',
      'fish',
      '-h',
      '--help',
    ]);
  });

  it('should complete in fish', () => {
    if (!shellAvailable('fish')) {
      process.stderr.write(
        'completion.spec: fish is not installed: its completion check is skipped\n',
      );
      return;
    }
    const complete = (line: string): string[] =>
      spawnSync(
        'fish',
        ['-c', `source $argv[1]; complete -C '${line}'`, join(dir, 'fish')],
        { encoding: 'utf8' },
      )
        .stdout.split('\n')
        .filter((w) => w !== '')
        .map((w) => w.split('\t')[0]);
    expect(complete('rc-bridge users ')).toEqual(
      expect.arrayContaining([
        'add',
        'import',
        'list',
        'passwd',
        'undo-import',
      ]),
    );
    expect(complete('rc-bridge users import --')).toEqual(
      expect.arrayContaining([
        '--dry-run',
        '--json',
        '--model',
        '--skip-invalid',
      ]),
    );
    expect(complete('rc-bridge completion ')).toEqual(['bash', 'fish', 'zsh']);
  });

  it('should register the zsh completion function', () => {
    if (!shellAvailable('zsh')) {
      process.stderr.write(
        'completion.spec: zsh is not installed: its registration check is skipped\n',
      );
      return;
    }
    const run = spawnSync(
      'zsh',
      [
        '-f',
        '-c',
        'autoload -U compinit && compinit -u -D && source "$1" && print -r -- "${_comps[rc-bridge]}"',
        'zsh',
        join(dir, 'zsh'),
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir } },
    );
    expect(run.stdout.trim()).toBe('_rc_bridge');
  });

  it('should refuse another shell as a usage error', async () => {
    expect((await rcBridge(['completion', 'tcsh'])).code).toBe(2);
  });
});
