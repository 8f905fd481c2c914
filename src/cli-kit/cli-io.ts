import type { Readable, Writable } from 'node:stream';

/** The streams a command talks through: the process's in production, fakes in tests. */
export interface CliIO {
  readonly stdin: Readable & {
    readonly isTTY?: boolean;
    setRawMode?(mode: boolean): unknown;
  };
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/**
 * Text safe to print on a terminal: control characters (escape sequences could rewrite the
 * screen), invisible formatting and bidi overrides become visible `\u{…}` escapes.
 */
export function printable(text: string): string {
  return text.replace(
    /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu,
    (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
}

export function writeLine(stream: Writable, line = ''): void {
  stream.write(`${line}\n`);
}
