/**
 * What may reach a log line. Every line passes through here (pino `formatters` and `hooks`, the
 * serializers): values of secret-looking fields are replaced, configured secrets and credentials
 * embedded in URLs or `Bearer` headers are masked in any string, and control characters are
 * escaped so that user input (a user name with `\n` or an ANSI escape) cannot forge or recolour
 * lines in either output format.
 */

export const REDACTED = '[REDACTED]';

/** Field names whose values are never logged, compared without case, `-` or `_`. */
const SECRET_KEY =
  /pass(word|wd|phrase)?$|^pwd$|secret|token|cookie|authorization|^auth$|apikey|privatekey|credential|sessionid|^sid$|^xuserid$|signature|^hash$|passwordhash/;

// C0 and C1 controls (ESC, CSI, NEL...), DEL and the Unicode line/paragraph separators: matching
// control characters is the point here.
/* oxlint-disable no-control-regex */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_GLOBAL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const CONTROL_BUT_NEWLINE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
/* oxlint-enable no-control-regex */
/** `scheme://user:password@` in URIs (MongoDB URIs, proxies). */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):[^\s/?#@]*@/gi;
const BEARER = /\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

const MAX_DEPTH = 6;
const MAX_ARRAY = 50;
const MAX_STRING = 4096;

/** Known secret values (from the configuration), masked wherever they appear. */
export class SecretList {
  private values: string[] = [];

  add(values: Iterable<string | undefined>): void {
    for (const value of values) {
      // Very short values would mask ordinary words; config rules require long secrets anyway.
      if (value && value.length >= 6 && !this.values.includes(value)) {
        this.values.push(value);
      }
    }
    // Longest first, so a secret containing another is masked whole.
    this.values.sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    let out = text;
    for (const value of this.values) {
      if (out.includes(value)) {
        out = out.split(value).join(REDACTED);
      }
    }
    return out;
  }
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[-_]/g, ''));
}

function controlEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Escapes control characters as visible `\uXXXX` text. */
export function escapeControlCharacters(text: string): string {
  return CONTROL.test(text)
    ? text.replace(CONTROL_GLOBAL, controlEscape)
    : text;
}

/** A string fit for a log line: secrets masked, controls escaped, length bounded. */
export function scrubString(text: string, secrets?: SecretList): string {
  let out = text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text;
  if (secrets) {
    out = secrets.mask(out);
  }
  if (out.includes('://')) {
    out = out.replace(URL_PASSWORD, `$1:${REDACTED}@`);
  }
  if (/bearer/i.test(out)) {
    out = out.replace(BEARER, `$1 ${REDACTED}`);
  }
  return escapeControlCharacters(out);
}

export interface SafeError {
  type: string;
  message: string;
  code?: string | number;
  status?: number;
  stack?: string;
  cause?: SafeError;
}

/**
 * An error reduced to what helps an operator: class, message, code, HTTP status and stack. Never
 * its other properties: an AxiosError carries the request config with the X-Auth-Token header,
 * and driver errors can carry the connection string.
 */
export function serializeError(
  error: unknown,
  secrets?: SecretList,
  depth = 0,
): SafeError {
  if (!(error instanceof Error)) {
    return {
      type: typeof error,
      message: scrubString(String(error), secrets),
    };
  }
  const out: SafeError = {
    type: error.name || error.constructor.name,
    message: scrubString(error.message, secrets),
  };
  const { code, status, response, codeName } = error as {
    code?: unknown;
    status?: unknown;
    response?: { status?: unknown };
    codeName?: unknown;
  };
  const codeValue = codeName ?? code;
  if (typeof codeValue === 'string' || typeof codeValue === 'number') {
    out.code =
      typeof codeValue === 'string'
        ? scrubString(codeValue, secrets)
        : codeValue;
  }
  const statusValue = status ?? response?.status;
  if (typeof statusValue === 'number') {
    out.status = statusValue;
  }
  if (typeof error.stack === 'string') {
    out.stack = scrubStack(error.stack, error, secrets);
  }
  if (depth < 2 && error.cause !== undefined) {
    out.cause = serializeError(error.cause, secrets, depth + 1);
  }
  return out;
}

/**
 * A stack keeps its line breaks (it is one field; JSON escapes them), but its first line repeats
 * the message, which may hold user input: that part is escaped like any other string.
 */
export function scrubStack(
  stack: string,
  error?: Error,
  secrets?: SecretList,
): string {
  let out = secrets ? secrets.mask(stack) : stack;
  if (out.includes('://')) {
    out = out.replace(URL_PASSWORD, `$1:${REDACTED}@`);
  }
  if (error) {
    const header = `${error.name}: ${error.message}`;
    if (out.startsWith(header)) {
      out =
        `${error.name}: ${scrubString(error.message, secrets)}` +
        out.slice(header.length);
    }
  }
  return out.replace(CONTROL_BUT_NEWLINE, controlEscape);
}

/**
 * A copy of `value` safe to log. Plain objects and arrays are walked (bounded depth and size);
 * errors become {@link SafeError}; other class instances are reduced to their JSON form (ids,
 * dates) or their class name, never walked: they may be requests, sockets or clients.
 */
export function sanitizeLogValue(
  value: unknown,
  secrets?: SecretList,
  depth = 0,
  seen: WeakSet<object> = new WeakSet(),
): unknown {
  switch (typeof value) {
    case 'string':
      return scrubString(value, secrets);
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return value.toString();
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
    case 'object':
      break;
  }
  if (value === null) {
    return null;
  }
  const object = value;
  if (object instanceof Error) {
    return serializeError(object, secrets);
  }
  if (seen.has(object)) {
    return '[Circular]';
  }
  if (depth >= MAX_DEPTH) {
    return '[Object]';
  }
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      const items = object
        .slice(0, MAX_ARRAY)
        .map((item: unknown) =>
          sanitizeLogValue(item, secrets, depth + 1, seen),
        );
      if (object.length > MAX_ARRAY) {
        items.push(`[${object.length - MAX_ARRAY} more]`);
      }
      return items;
    }
    if (object instanceof Date) {
      return Number.isNaN(object.getTime())
        ? 'Invalid Date'
        : object.toISOString();
    }
    const proto: unknown = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      return sanitizeInstance(object, secrets, depth, seen);
    }
    return sanitizeFields(
      object as Record<string, unknown>,
      secrets,
      depth,
      seen,
    );
  } finally {
    seen.delete(object);
  }
}

function sanitizeFields(
  object: Record<string, unknown>,
  secrets: SecretList | undefined,
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const safeKey = escapeControlCharacters(key);
    out[safeKey] = isSecretKey(key)
      ? REDACTED
      : sanitizeLogValue(object[key], secrets, depth + 1, seen);
  }
  return out;
}

function sanitizeInstance(
  object: object,
  secrets: SecretList | undefined,
  depth: number,
  seen: WeakSet<object>,
): unknown {
  if (Buffer.isBuffer(object) || ArrayBuffer.isView(object)) {
    return `[${object.constructor.name}]`;
  }
  if (object instanceof Map) {
    return sanitizeFields(
      Object.fromEntries(
        [...object.entries()]
          .slice(0, MAX_ARRAY)
          .map(([k, v]) => [String(k), v]),
      ),
      secrets,
      depth,
      seen,
    );
  }
  if (object instanceof Set) {
    return sanitizeLogValue([...object], secrets, depth, seen);
  }
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    // ObjectId, URL, Decimal128, Mongoose documents: their JSON form, sanitized like the rest.
    try {
      const json: unknown = toJSON.call(object);
      if (json !== object) {
        return sanitizeLogValue(json, secrets, depth + 1, seen);
      }
    } catch {
      // fall through to the class name
    }
  }
  return `[${object.constructor?.name ?? 'Object'}]`;
}

/**
 * Secret values of a configuration object: strings under secret-looking keys, and passwords inside
 * URIs (a MongoDB connection string). Fed to {@link SecretList} so they are masked anywhere.
 */
export function collectSecrets(config: unknown, depth = 0): string[] {
  const found: string[] = [];
  if (config === null || typeof config !== 'object' || depth > 6) {
    return found;
  }
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'string') {
      if (isSecretKey(key)) {
        found.push(value);
      }
      found.push(...uriPasswords(value));
    } else if (typeof value === 'object' && value !== null) {
      found.push(...collectSecrets(value, depth + 1));
    }
  }
  return found;
}

function uriPasswords(value: string): string[] {
  const out: string[] = [];
  for (const match of value.matchAll(/:\/\/[^\s:/?#@]*:([^\s/?#@]+)@/g)) {
    out.push(match[1]);
    try {
      out.push(decodeURIComponent(match[1]));
    } catch {
      // not percent-encoded
    }
  }
  return out;
}
