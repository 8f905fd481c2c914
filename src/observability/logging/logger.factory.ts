import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import pino, {
  type DestinationStream,
  type Logger as PinoLogger,
  type LoggerOptions,
} from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { LoggingConfig } from '../../config/index.js';
import {
  REDACTED,
  type SecretList,
  isSecretKey,
  sanitizeLogValue,
  scrubStack,
  scrubString,
  serializeError,
} from './log-sanitizer.js';
import { BoundedLogStream } from './bounded-log-stream.js';
import { pathOf } from './route-label.js';

export interface LoggerFactoryOptions {
  /** Where lines go instead of stdout (tests capture them). */
  readonly destination?: DestinationStream;
  /** No output at all (tests that only want quiet). */
  readonly silent?: boolean;
}

/** Keys pino serializes itself; the sanitizer leaves them to the serializers below. */
const SERIALIZED = new Set(['err', 'req', 'res']);

/**
 * The process's pino logger: level and format from config, UTC ISO timestamps, level names, and
 * every field, message and binding sanitized (see log-sanitizer). Fastify writes through it and so
 * does Nest's Logger (PinoNestLogger).
 */
export function createPinoLogger(
  config: LoggingConfig,
  secrets: SecretList,
  options: LoggerFactoryOptions = {},
): PinoLogger {
  const pinoOptions: LoggerOptions = {
    level: options.silent ? 'silent' : config.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) =>
        sanitizeLogValue(bindings, secrets) as Record<string, unknown>,
      log: (object) => sanitizeFields(object, secrets),
    },
    hooks: {
      logMethod(args, method) {
        const list = args as unknown[];
        for (let i = 0; i < list.length; i++) {
          if (typeof list[i] === 'string') {
            list[i] = scrubString(list[i] as string, secrets);
          }
        }
        if (list.length === 1 && list[0] instanceof Error) {
          // pino would take the message from the error unsanitized
          list.push(scrubString(list[0].message, secrets));
        }
        method.apply(this, args);
      },
    },
    serializers: {
      err: (error: unknown) => serializeError(error, secrets),
      req: (request: FastifyRequest | IncomingMessage) => ({
        method: request.method,
        // Never the query string: it can carry tokens.
        path: scrubString(pathOf(request.url ?? ''), secrets),
        ip: 'ip' in request ? request.ip : request.socket?.remoteAddress,
      }),
      res: (reply: FastifyReply | { statusCode?: number }) => ({
        statusCode: reply.statusCode,
      }),
    },
  };
  return pino(pinoOptions, destinationFor(config, options));
}

function sanitizeFields(
  object: Record<string, unknown>,
  secrets: SecretList,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (SERIALIZED.has(key)) {
      out[key] = value;
    } else if (isSecretKey(key)) {
      out[key] = REDACTED;
    } else if (key === 'stack' && typeof value === 'string') {
      out[key] = scrubStack(value, undefined, secrets);
    } else {
      out[key] = sanitizeLogValue(value, secrets, 1);
    }
  }
  return out;
}

function destinationFor(
  config: LoggingConfig,
  options: LoggerFactoryOptions,
): DestinationStream {
  // Never blocking: a stalled stdout costs dropped lines, not a stalled process. What is queued
  // at exit is flushed by flushLogs() (main.ts), within a bound.
  const target: DestinationStream =
    options.destination ??
    (options.silent
      ? { write: () => undefined }
      : new BoundedLogStream(process.stdout));
  if (config.format === 'pretty') {
    // In-process like the JSON output (pino-pretty's transport is a worker).
    const prettify = prettyFactory({
      colorize: options.destination === undefined && process.stdout.isTTY,
      translateTime: 'UTC:yyyy-mm-dd HH:MM:ss.l"Z"',
      ignore: 'pid,hostname,context,requestId',
      messageFormat:
        '{if context}[{context}] {end}{if requestId}<{requestId}> {end}{msg}',
      singleLine: true,
    });
    return { write: (line: string) => target.write(prettify(line)) };
  }
  return target;
}
