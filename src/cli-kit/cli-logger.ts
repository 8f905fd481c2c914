import type { LoggerService } from '@nestjs/common';
import { printable, type CliIO } from './cli-io.js';

/**
 * Nest's log lines, as a CLI shows them: errors always, one plain line each; the rest only with
 * --verbose. Commands report their own results on stdout.
 */
export class CliLogger implements LoggerService {
  constructor(
    private readonly io: CliIO,
    private readonly chatty: boolean,
  ) {}

  error(message: unknown): void {
    this.line('error', message);
  }

  fatal(message: unknown): void {
    this.line('error', message);
  }

  warn(message: unknown): void {
    if (this.chatty) {
      this.line('warning', message);
    }
  }

  log(message: unknown): void {
    if (this.chatty) {
      this.line('info', message);
    }
  }

  private line(level: string, message: unknown): void {
    const text = typeof message === 'string' ? message : String(message);
    this.io.stderr.write(`rc-bridge: ${level}: ${printable(text)}\n`);
  }
}
