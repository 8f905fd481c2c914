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

/** `API.v1.forbidden`: the body still says "unauthorized" until Rocket.Chat 9.0. */
export function forbidden(message = 'unauthorized'): ApiResult {
  return { statusCode: 403, body: { success: false, error: message } };
}

/** The 401 that `authRequired` routes answer without valid credentials (7.x and 8.x). */
export function notLoggedIn(): ApiResult {
  return {
    statusCode: 401,
    body: {
      success: false,
      error: 'You must be logged in to do this.',
      status: 'error',
      message: 'You must be logged in to do this.',
    },
  };
}

/** Maps an error thrown inside an endpoint the way Rocket.Chat's ApiClass does. */
export function resultFromError(error: unknown): ApiResult {
  if (!(error instanceof MeteorError)) {
    // Any other exception thrown by an action still becomes a 400 failure with its message.
    return failure(error instanceof Error ? error.message : String(error));
  }
  switch (error.error) {
    case 'error-too-many-requests':
      return {
        statusCode: 429,
        body: { success: false, error: error.message },
      };
    case 'unauthorized':
    case 'error-unauthorized':
      return forbidden(error.message);
    default:
      return failure(error.message, String(error.error), error.details);
  }
}
