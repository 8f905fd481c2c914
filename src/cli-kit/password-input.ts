import { CliError, EXIT_INTERRUPTED } from './cli-errors.js';
import type { CliIO } from './cli-io.js';

const ESC = '\u001b';
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const DEL = '\u007f';

/** Piped input read before giving up on finding the end of the first line. */
const MAX_LINE_BYTES = 4096;

/**
 * A password for a command, never from its arguments (they end up in shell history and `ps`).
 * On a terminal: a hidden prompt on stderr, asked twice when `confirm` is set. Otherwise: the
 * first line of stdin (`printf '%s\n' "$PW" | rc-bridge users add alice`), without its line end.
 */
export async function readPassword(
  io: CliIO,
  options: { prompt: string; confirm: boolean },
): Promise<string> {
  if (io.stdin.isTTY && typeof io.stdin.setRawMode === 'function') {
    const first = await promptHidden(io, `${options.prompt}: `);
    if (options.confirm) {
      const second = await promptHidden(
        io,
        `Repeat ${lowerFirst(options.prompt)}: `,
      );
      if (first !== second) {
        throw new CliError('The passwords do not match');
      }
    }
    return first;
  }
  return readFirstLine(io.stdin);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Raw-mode line editing without echo: Enter ends, Backspace and Ctrl-U edit, Ctrl-C cancels. */
function promptHidden(io: CliIO, prompt: string): Promise<string> {
  const { stdin, stderr } = io;
  stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    // Inside a terminal escape sequence (arrow keys send ESC [ D, and so on): ignored.
    let escape = false;
    const finish = (error?: CliError): void => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
      if (error) {
        reject(error);
      } else {
        resolve(value);
      }
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (escape) {
          escape = !/[A-Za-z~]/.test(char);
        } else if (char === ESC) {
          escape = true;
        } else if (char === '\r' || char === '\n' || char === CTRL_D) {
          finish();
          return;
        } else if (char === CTRL_C) {
          finish(new CliError('Cancelled', EXIT_INTERRUPTED));
          return;
        } else if (char === DEL || char === '\b') {
          value = Array.from(value).slice(0, -1).join('');
        } else if (char === CTRL_U) {
          value = '';
        } else if (char >= ' ') {
          value += char;
        }
      }
    };
    stdin.setRawMode?.(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** The first line of a non-interactive stdin. */
function readFirstLine(stdin: CliIO['stdin']): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (result: { line?: string; error?: CliError }): void => {
      if (settled) {
        return;
      }
      settled = true;
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      stdin.pause();
      if (result.error) {
        reject(result.error);
      } else {
        resolve(result.line ?? '');
      }
    };
    const lineFrom = (buffer: Buffer): string =>
      buffer.toString('utf8').replace(/\r$/, '');
    const onData = (chunk: Buffer | string): void => {
      const buffer =
        typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      chunks.push(buffer);
      size += buffer.length;
      const all = Buffer.concat(chunks);
      const newline = all.indexOf(0x0a);
      if (newline !== -1 && newline <= MAX_LINE_BYTES) {
        done({ line: lineFrom(all.subarray(0, newline)) });
      } else if (size > MAX_LINE_BYTES) {
        done({ error: new CliError('The password line on stdin is too long') });
      }
    };
    const onEnd = (): void => {
      if (size === 0) {
        done({
          error: new CliError(
            'No password given: type it at the prompt, or pipe it as the first line of stdin',
          ),
        });
      } else {
        done({ line: lineFrom(Buffer.concat(chunks)) });
      }
    };
    const onError = (): void => {
      done({ error: new CliError('Could not read the password from stdin') });
    };
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    stdin.resume();
  });
}
