import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError } from './cli-errors.js';
import type { CliIO } from './cli-io.js';
import { readPassword } from './password-input.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function pipedIO(): { io: CliIO; stdin: PassThrough; stderr: Capture } {
  const stdin = new PassThrough();
  const stderr = new Capture();
  return { io: { stdin, stdout: new Capture(), stderr }, stdin, stderr };
}

/** A stdin that claims to be a terminal and records raw-mode switches. */
function ttyIO(): {
  io: CliIO;
  stdin: PassThrough & { isTTY: boolean; rawModes: boolean[] };
  stderr: Capture;
} {
  const stdin = Object.assign(new PassThrough(), {
    isTTY: true,
    rawModes: [] as boolean[],
    setRawMode(mode: boolean) {
      stdin.rawModes.push(mode);
      return stdin;
    },
  });
  const stderr = new Capture();
  return { io: { stdin, stdout: new Capture(), stderr }, stdin, stderr };
}

describe('password input', () => {
  it('should take the first line of piped stdin, without its line end', async () => {
    const { io, stdin } = pipedIO();
    const read = readPassword(io, { prompt: 'Password', confirm: true });
    stdin.write('s3cret pässword\r\nsecond line\n');
    expect(await read).toBe('s3cret pässword');
  });

  it('should take a last line without newline at the end of input', async () => {
    const { io, stdin } = pipedIO();
    const read = readPassword(io, { prompt: 'Password', confirm: false });
    stdin.end('no-newline');
    expect(await read).toBe('no-newline');
  });

  it('should keep leading and trailing spaces, which are part of the password', async () => {
    const { io, stdin } = pipedIO();
    const read = readPassword(io, { prompt: 'Password', confirm: false });
    stdin.end('  padded  \n');
    expect(await read).toBe('  padded  ');
  });

  it('should fail readably on empty stdin and on a line that never ends', async () => {
    const empty = pipedIO();
    const read = readPassword(empty.io, { prompt: 'Password', confirm: false });
    empty.stdin.end();
    await expect(read).rejects.toThrow(/No password given/);

    const long = pipedIO();
    const readLong = readPassword(long.io, {
      prompt: 'Password',
      confirm: false,
    });
    long.stdin.write('x'.repeat(5000));
    await expect(readLong).rejects.toThrow(/too long/);
  });

  it('should prompt twice on a terminal without echoing, in raw mode, and restore the mode', async () => {
    const { io, stdin, stderr } = ttyIO();
    const read = readPassword(io, { prompt: 'New password', confirm: true });
    stdin.write('hunter2x');
    stdin.write('\u007fY\r');
    await new Promise((resolve) => setImmediate(resolve));
    stdin.write('hunter2Y\r');
    expect(await read).toBe('hunter2Y');
    expect(stderr.text).toBe('New password: \nRepeat new password: \n');
    expect(stdin.rawModes).toEqual([true, false, true, false]);
  });

  it('should refuse two different entries', async () => {
    const { io, stdin } = ttyIO();
    const read = readPassword(io, { prompt: 'Password', confirm: true });
    stdin.write('first-one\r');
    await new Promise((resolve) => setImmediate(resolve));
    stdin.write('second-one\r');
    await expect(read).rejects.toThrow(/do not match/);
  });

  it('should cancel on Ctrl-C with exit code 130', async () => {
    const { io, stdin } = ttyIO();
    const read = readPassword(io, { prompt: 'Password', confirm: true });
    stdin.write('abc\u0003');
    const error = await read.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(130);
    expect(stdin.rawModes).toEqual([true, false]);
  });

  it('should ignore arrow keys and clear the line on Ctrl-U', async () => {
    const { io, stdin } = ttyIO();
    const read = readPassword(io, { prompt: 'Password', confirm: false });
    stdin.write('wrong\u0015ri\u001b[Dght\r');
    expect(await read).toBe('right');
  });
});
