import { BadRequestException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

/** Every body the bridge accepts is small: a login form is well under 4 KB. */
export const BODY_LIMIT_BYTES = 16 * 1024;
const MAX_FORM_FIELDS = 64;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Malformed bodies: invalid UTF-8, NUL bytes, bad percent-encoding, hostile field names (400). */
export class MalformedBodyError extends BadRequestException {
  constructor(readonly problem: string) {
    super(`Malformed request body (${problem})`);
    this.name = 'MalformedBodyError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text: valid UTF-8 without NUL bytes, or MalformedBodyError. */
export function strictText(body: Buffer): string {
  if (body.includes(0)) {
    throw new MalformedBodyError('NUL byte');
  }
  try {
    return utf8.decode(body);
  } catch {
    throw new MalformedBodyError('invalid UTF-8');
  }
}

/**
 * `application/x-www-form-urlencoded`, strictly: each name and value must percent-decode to valid
 * UTF-8 without NUL (Node's lenient decoders would quietly substitute U+FFFD), at most 64 fields,
 * no prototype-polluting names. A repeated field becomes an array (the form validators refuse it).
 */
export function parseStrictForm(
  body: Buffer,
): Record<string, string | string[]> {
  const text = strictText(body);
  const fields: Record<string, string | string[]> = {};
  const pairs = text === '' ? [] : text.split('&');
  if (pairs.length > MAX_FORM_FIELDS) {
    throw new MalformedBodyError('too many fields');
  }
  for (const pair of pairs) {
    if (pair === '') {
      continue;
    }
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
    if (FORBIDDEN_KEYS.has(name)) {
      throw new MalformedBodyError('forbidden field name');
    }
    const existing = Object.hasOwn(fields, name) ? fields[name] : undefined;
    fields[name] =
      existing === undefined
        ? value
        : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return fields;
}

function decodeComponent(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    throw new MalformedBodyError('invalid percent-encoding or UTF-8');
  }
  if (decoded.includes('\u0000')) {
    throw new MalformedBodyError('NUL character');
  }
  return decoded;
}

/**
 * Replaces Nest's lenient body parsers (call before `app.init()`): forms, JSON (Fastify's own
 * parser, which refuses `__proto__` and `constructor.prototype`, after the UTF-8 check) and
 * plain text, each limited to BODY_LIMIT_BYTES (413 above). Other content types get 415.
 */
export function registerStrictBodyParsers(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const options = { bodyLimit: BODY_LIMIT_BYTES };
  const json = fastify.getDefaultJsonParser('error', 'error');
  // Parsers complete through `done` (Nest ignores a plain return value); a throw becomes a 400.
  app.useBodyParser(
    'application/x-www-form-urlencoded',
    options,
    (_request: FastifyRequest, body: Buffer, done: Done) => {
      done(null, parseStrictForm(body));
    },
  );
  app.useBodyParser(
    'application/json',
    options,
    (request: FastifyRequest, body: Buffer, done: Done) => {
      // Fastify's default JSON parser is synchronous; it answers through `done`.
      void json(request, strictText(body), done);
    },
  );
  app.useBodyParser(
    'text/plain',
    options,
    (_request: FastifyRequest, body: Buffer, done: Done) => {
      done(null, strictText(body));
    },
  );
}

type Done = (error: Error | null, value?: unknown) => void;
