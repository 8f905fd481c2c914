/**
 * Rocket.Chat REST failures as small domain errors. They carry the endpoint name, the HTTP
 * status and Rocket.Chat's `errorType`, never a request (an AxiosError holds the auth headers):
 * they may be logged whole.
 */
export abstract class RocketChatError extends Error {
  protected constructor(
    readonly endpoint: string,
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type UnavailableReason =
  | 'timeout'
  | 'network'
  | 'server-error'
  | 'malformed'
  | 'circuit-open'
  | 'not-found'
  /** Not called: the request's time for Rocket.Chat was used up by earlier calls. */
  | 'budget-spent';

/** Rocket.Chat could not answer usefully: try again later (maps to 503). */
export class RocketChatUnavailableError extends RocketChatError {
  constructor(
    endpoint: string,
    readonly reason: UnavailableReason,
    detail: string,
    status?: number,
    /** When calling again makes sense, if known. */
    readonly retryAfterMs?: number,
  ) {
    super(endpoint, `Rocket.Chat ${endpoint}: ${detail}`, status);
  }
}

/** 429 from Rocket.Chat's REST rate limiter (`X-RateLimit-Reset` is an epoch in ms). */
export class RocketChatRateLimitedError extends RocketChatError {
  constructor(
    endpoint: string,
    readonly retryAfterMs: number,
  ) {
    super(
      endpoint,
      `Rocket.Chat ${endpoint}: rate limited for ${Math.ceil(retryAfterMs / 1000)} s ` +
        '(give the bridge account the api-bypass-rate-limit permission, or raise API_Enable_Rate_Limiter_Limit_Calls_Default)',
      429,
    );
  }
}

/** 401/403: the credentials used were refused or lack a permission. */
export class RocketChatAuthError extends RocketChatError {
  constructor(
    endpoint: string,
    status: number,
    readonly rocketChatError: string | undefined,
    /**
     * Rocket.Chat's code for the refusal: the `[code]` that ends `error` (9.x answers refusals
     * 403 with `errorType: 'error-forbidden'` and keeps the original code only there), else
     * `errorType`.
     */
    readonly code?: string,
  ) {
    super(
      endpoint,
      status === 401
        ? `Rocket.Chat ${endpoint}: the credentials were refused (401${rocketChatError ? `, ${rocketChatError}` : ''})`
        : `Rocket.Chat ${endpoint}: permission denied (403${rocketChatError ? `, ${rocketChatError}` : ''})`,
      status,
    );
  }
}

/** A 400 (or 200 with `success: false`): Rocket.Chat understood and said no. */
export class RocketChatRequestError extends RocketChatError {
  constructor(
    endpoint: string,
    status: number,
    /** `errorType` (`error-field-unavailable`, `invalid-params`...), when Rocket.Chat sent one. */
    readonly errorType: string | undefined,
    /** Rocket.Chat's own message (`alice is already in use :(`), without the `[code]` suffix. */
    readonly reason: string | undefined,
    readonly details: Readonly<Record<string, unknown>> | undefined,
  ) {
    super(
      endpoint,
      `Rocket.Chat ${endpoint} refused the request: ${errorType ?? 'error'}${reason ? ` (${reason})` : ''}`,
      status,
    );
  }
}

/** `totp-required` / `totp-invalid`: the call needs a second factor the bridge cannot give. */
export class RocketChatTwoFactorError extends RocketChatRequestError {
  /** `totp`, `email` or `password`, as Rocket.Chat named it. */
  readonly method: string | undefined;

  constructor(
    endpoint: string,
    status: number,
    errorType: string,
    details: Readonly<Record<string, unknown>> | undefined,
  ) {
    super(endpoint, status, errorType, undefined, details);
    this.method =
      typeof details?.method === 'string' ? details.method : undefined;
    this.message =
      `Rocket.Chat ${endpoint} requires two-factor authentication (${errorType}` +
      `${this.method ? `, method ${this.method}` : ''}), and the bridge's Rocket.Chat token does not ` +
      "bypass it. Fix: log in to Rocket.Chat as the bridge's account, open My Account > Personal " +
      'Access Tokens, add a token with "Ignore Two Factor Authentication" (bypassTwoFactor) ticked, set ' +
      'ROCKETCHAT_USER_ID and ROCKETCHAT_AUTH_TOKEN to it and restart the bridge ' +
      '(`rc-bridge doctor` shows whether the token bypasses two-factor authentication)';
  }
}

/**
 * Whether Rocket.Chat refused the call with this code: 400 `errorType` (up to 8.x) or the code in
 * a 403 `error-forbidden` (9.x).
 */
export function isRefusedWith(error: unknown, code: string): boolean {
  return (
    (error instanceof RocketChatRequestError && error.errorType === code) ||
    (error instanceof RocketChatAuthError && error.code === code)
  );
}

/**
 * A 401 that means "these credentials are unknown" (`You must be logged in to do this.`), as
 * opposed to Rocket.Chat 7's 401 `unauthorized` for a missing permission.
 */
export function isCredentialsRefused(error: unknown): boolean {
  return (
    error instanceof RocketChatAuthError &&
    error.status === 401 &&
    (error.rocketChatError === undefined ||
      /logged in/i.test(error.rocketChatError))
  );
}

/** Whether trying later may work (as opposed to a refusal that will repeat). */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof RocketChatUnavailableError ||
    error instanceof RocketChatRateLimitedError
  );
}

/** The Retry-After a client should get, in seconds, for an error that has a hint. */
export function retryAfterSeconds(error: unknown, fallback = 10): number {
  const ms =
    error instanceof RocketChatUnavailableError ||
    error instanceof RocketChatRateLimitedError
      ? error.retryAfterMs
      : undefined;
  return ms === undefined ? fallback : Math.max(1, Math.ceil(ms / 1000));
}
