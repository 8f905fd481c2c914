import type { LoggerService } from '@nestjs/common';
import type { Level, Logger as PinoLogger } from 'pino';
import { currentRequestId } from './request-context.js';

// Nest's ConsoleLogger test for "this string is a stack trace".
const STACK = /\n[ \t]+at .+:\d+:\d+/;

function isStack(value: unknown): boolean {
  return typeof value === 'string' && STACK.test(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Nest's logger interface written through the same pino instance as Fastify, so
 * `new Logger(X.name).log(...)` anywhere comes out as one JSON line with `context` and, while a
 * request is handled, its `requestId`. Argument conventions follow Nest's ConsoleLogger: the last
 * string is the context, `error(message, stack, context)`, plain objects become fields.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: PinoLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) {
      return;
    }
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    const withStack = level === 'error' || level === 'fatal';

    if (
      withStack &&
      rest.length === 1 &&
      (isStack(rest[0]) || rest[0] === undefined)
    ) {
      // error(message, stack) without a context
      fields.stack = rest.pop();
    } else {
      const last = rest.at(-1);
      if (rest.length > 0 && typeof last === 'string' && !isStack(last)) {
        fields.context = rest.pop();
      }
      const trailing = rest.at(-1);
      if (
        withStack &&
        rest.length > 0 &&
        (typeof trailing === 'string' || trailing === undefined)
      ) {
        fields.stack = rest.pop();
      }
    }
    if (fields.stack === undefined) {
      delete fields.stack;
    }

    const words: string[] = [];
    const others: unknown[] = [];
    for (const param of rest) {
      if (isPlainObject(param)) {
        Object.assign(fields, param);
      } else if (param instanceof Error) {
        fields.err = param;
      } else if (
        typeof param === 'string' ||
        typeof param === 'number' ||
        typeof param === 'boolean'
      ) {
        words.push(String(param));
      } else if (param !== undefined) {
        others.push(param);
      }
    }
    if (others.length > 0) {
      // Sanitized like every field: arrays walked, class instances reduced to their name.
      fields.params = others;
    }

    let text: string;
    if (message instanceof Error) {
      fields.err = message;
      text = message.message;
    } else if (isPlainObject(message)) {
      const { msg, message: inner, ...details } = message;
      Object.assign(fields, details);
      text =
        typeof msg === 'string' ? msg : typeof inner === 'string' ? inner : '';
    } else if (typeof message === 'object' && message !== null) {
      // An array or class instance: a sanitized field, never stringified here.
      fields.value = message;
      text = '';
    } else {
      text = String(message);
    }
    if (words.length > 0) {
      text = [text, ...words].join(' ');
    }

    const requestId = currentRequestId();
    if (requestId !== undefined) {
      fields.requestId = requestId;
    }
    this.pino[level](fields, text);
  }
}
