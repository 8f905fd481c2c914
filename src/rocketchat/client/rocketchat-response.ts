import {
  type RocketChatError,
  RocketChatAuthError,
  RocketChatRateLimitedError,
  RocketChatRequestError,
  RocketChatTwoFactorError,
  RocketChatUnavailableError,
} from './rocketchat.errors.js';

export type JsonObject = Record<string, unknown>;

export type Interpreted =
  | { readonly ok: true; readonly body: JsonObject }
  | { readonly ok: false; readonly error: RocketChatError };

/** Headers as axios gives them (lower-case names). */
export type ResponseHeaders = Readonly<Record<string, unknown>>;

const TWO_FACTOR = new Set(['totp-required', 'totp-invalid']);
/** Used when a 429 carries no usable reset hint. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/**
 * Turns one HTTP answer of Rocket.Chat's REST API into its JSON body or a domain error, following
 * the envelopes of `ApiClass`: 200 `{success: true, ...}`; 400 `{success: false, error:
 * "<reason> [<code>]", errorType, details?}`; 401/403 `{success: false, error}`; 429 with
 * `X-RateLimit-Reset`; `totp-required` as 400 (REST routes) or 401 (`login`).
 */
export function interpretResponse(
  endpoint: string,
  status: number,
  headers: ResponseHeaders,
  text: string,
  now: number = Date.now(),
): Interpreted {
  const body = parseObject(text);
  if (status === 429) {
    return {
      ok: false,
      error: new RocketChatRateLimitedError(
        endpoint,
        rateLimitWait(headers, now),
      ),
    };
  }
  if (status >= 500) {
    return unavailable(endpoint, 'server-error', `answered ${status}`, status);
  }
  if (status === 404) {
    return unavailable(
      endpoint,
      'not-found',
      'answered 404: this Rocket.Chat has no such endpoint (check ROCKETCHAT_URL / ROCKETCHAT_INTERNAL_URL and the version)',
      status,
    );
  }
  if (status >= 200 && status < 300) {
    if (!body) {
      return unavailable(
        endpoint,
        'malformed',
        `answered ${status} without a JSON object`,
        status,
      );
    }
    if (body.success === false) {
      return { ok: false, error: requestError(endpoint, status, body) };
    }
    return { ok: true, body };
  }
  const errorType = errorTypeOf(body);
  if (errorType !== undefined && TWO_FACTOR.has(errorType)) {
    return {
      ok: false,
      error: new RocketChatTwoFactorError(
        endpoint,
        status,
        errorType,
        detailsOf(body),
      ),
    };
  }
  if (status === 401 || status === 403) {
    const said = typeof body?.error === 'string' ? body.error : undefined;
    return {
      ok: false,
      error: new RocketChatAuthError(
        endpoint,
        status,
        shorten(said),
        refusalCodeOf(body),
      ),
    };
  }
  if (status >= 400 && status < 500) {
    return { ok: false, error: requestError(endpoint, status, body ?? {}) };
  }
  return unavailable(
    endpoint,
    'malformed',
    `answered an unexpected status ${status}`,
    status,
  );
}

function unavailable(
  endpoint: string,
  reason: RocketChatUnavailableError['reason'],
  detail: string,
  status: number,
): Interpreted {
  return {
    ok: false,
    error: new RocketChatUnavailableError(endpoint, reason, detail, status),
  };
}

function requestError(
  endpoint: string,
  status: number,
  body: JsonObject,
): RocketChatRequestError {
  const errorType = errorTypeOf(body);
  if (errorType !== undefined && TWO_FACTOR.has(errorType)) {
    return new RocketChatTwoFactorError(
      endpoint,
      status,
      errorType,
      detailsOf(body),
    );
  }
  const raw = typeof body.error === 'string' ? body.error : undefined;
  // "<reason> [<code>]": keep the reason; the code is errorType.
  const reason = raw?.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
  return new RocketChatRequestError(
    endpoint,
    status,
    errorType,
    shorten(reason === '' ? undefined : reason),
    detailsOf(body),
  );
}

/** `errorType`, else the code in `error: "... [code]"`, else a bare `error` that looks like a code. */
function errorTypeOf(body: JsonObject | undefined): string | undefined {
  if (!body) {
    return undefined;
  }
  if (typeof body.errorType === 'string' && body.errorType !== '') {
    return body.errorType;
  }
  if (typeof body.error === 'string') {
    const code = /\[([a-z0-9-]+)\]\s*$/i.exec(body.error);
    if (code) {
      return code[1];
    }
    if (/^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(body.error)) {
      return body.error;
    }
  }
  return undefined;
}

/** The refusal's own code: `error: "... [code]"` first (9.x `error-forbidden`), else errorType. */
function refusalCodeOf(body: JsonObject | undefined): string | undefined {
  const bracket =
    typeof body?.error === 'string'
      ? /\[([a-z0-9_-]+)\]\s*$/i.exec(body.error)?.[1]
      : undefined;
  return bracket ?? errorTypeOf(body);
}

function detailsOf(body: JsonObject | undefined): JsonObject | undefined {
  const details = body?.details;
  return typeof details === 'object' &&
    details !== null &&
    !Array.isArray(details)
    ? (details as JsonObject)
    : undefined;
}

/** `X-RateLimit-Reset` (epoch ms), else `Retry-After` (seconds), else a minute. */
function rateLimitWait(headers: ResponseHeaders, now: number): number {
  const reset = Number(headerValue(headers, 'x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) {
    // Some proxies or versions send seconds: an epoch in seconds is far below any ms epoch.
    const resetMs = reset < 1e11 ? reset * 1000 : reset;
    return clampWait(resetMs - now);
  }
  const retryAfter = Number(headerValue(headers, 'retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter >= 0) {
    return clampWait(retryAfter * 1000);
  }
  return DEFAULT_RATE_LIMIT_WAIT_MS;
}

function clampWait(ms: number): number {
  return Math.min(Math.max(ms, 1000), 15 * 60_000);
}

function headerValue(
  headers: ResponseHeaders,
  name: string,
): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) {
    return typeof value[0] === 'string' ? value[0] : undefined;
  }
  return typeof value === 'string' || typeof value === 'number'
    ? String(value)
    : undefined;
}

function parseObject(text: string): JsonObject | undefined {
  if (text === '') {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed)
      ? (parsed as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

function shorten(text: string | undefined): string | undefined {
  return text !== undefined && text.length > 300
    ? `${text.slice(0, 300)}…`
    : text;
}
