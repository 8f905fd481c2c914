import { breaking9, REFUSALS_9 } from './release.js';
import type { EmulatedVersion } from './version.js';

/** Rocket.Chat's `Meteor.Error`: `message` is `"<reason> [<error>]"`. */
export class MeteorError extends Error {
  readonly error: string | number;
  readonly reason: string | undefined;
  readonly details: unknown;

  constructor(error: string | number, reason?: string, details?: unknown) {
    super(reason ? `${reason} [${error}]` : `[${error}]`);
    this.name = 'MeteorError';
    this.error = error;
    this.reason = reason;
    this.details = details;
  }
}

/** What an endpoint answers: status, JSON body, extra headers. */
export interface ApiResult {
  statusCode: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function success(body: Record<string, unknown> = {}): ApiResult {
  return { statusCode: 200, body: { ...body, success: true } };
}

/** `API.v1.failure`: 400 with `error`, optional `errorType` and `details`. */
export function failure(
  error?: string,
  errorType?: string,
  details?: unknown,
): ApiResult {
  const body: Record<string, unknown> = { success: false };
  if (error !== undefined) {
    body.error = error;
  }
  if (errorType) {
    body.errorType = errorType;
  }
  if (details !== undefined && details !== null) {
    body.details = details;
  }
  return { statusCode: 400, body };
}

export function unauthorized(message = 'unauthorized'): ApiResult {
  return { statusCode: 401, body: { success: false, error: message } };
}

/**
 * `API.v1.forbidden`: without a message the body says "unauthorized" until 9.0 and
 * "forbidden" from 9.0 (ApiClass.ts @0358e0dc, `applyBreakingChanges`).
 */
export function forbidden(
  message?: string,
  version?: EmulatedVersion,
): ApiResult {
  const fallback = version && breaking9(version) ? 'forbidden' : 'unauthorized';
  return {
    statusCode: 403,
    body: { success: false, error: message ?? fallback },
  };
}

/**
 * The 401 that `authRequired` routes answer without valid credentials; `status` and `message`
 * only before 9.0 (`v1/middlewares/authenticationHono.ts` @bec8300d).
 */
export function notLoggedIn(version?: EmulatedVersion): ApiResult {
  const message = 'You must be logged in to do this.';
  return {
    statusCode: 401,
    body:
      version && breaking9(version)
        ? { success: false, error: message }
        : { success: false, error: message, status: 'error', message },
  };
}

/**
 * Maps an error thrown inside an endpoint the way Rocket.Chat's ApiClass does (@0358e0dc);
 * from 9.0 the refusal codes answer 403 with `errorType: 'error-forbidden'` (release.ts).
 */
export function resultFromError(
  error: unknown,
  version?: EmulatedVersion,
): ApiResult {
  if (!(error instanceof MeteorError)) {
    // Any other exception thrown by an action still becomes a 400 failure with its message.
    return failure(error instanceof Error ? error.message : String(error));
  }
  if (error.error === 'error-too-many-requests') {
    return {
      statusCode: 429,
      body: { success: false, error: error.message },
    };
  }
  if (version && breaking9(version) && REFUSALS_9.has(String(error.error))) {
    return {
      statusCode: 403,
      body: {
        success: false,
        error: error.message,
        errorType: 'error-forbidden',
      },
    };
  }
  switch (error.error) {
    case 'unauthorized':
    case 'error-unauthorized':
      return forbidden(error.message);
    default:
      return failure(error.message, String(error.error), error.details);
  }
}
