import * as client from 'openid-client';

/** What went wrong in one call of openid-client, in the terms the domain errors need. */
export type Failure =
  | { kind: 'timeout' }
  | { kind: 'unreachable'; code: string }
  | { kind: 'http-status'; status: number }
  | { kind: 'oauth-error'; error: string; description: unknown; status: number }
  | { kind: 'authorization-error'; error: unknown; description: unknown }
  | { kind: 'claim'; claim: string | undefined }
  | { kind: 'time'; claim: string | undefined }
  | { kind: 'key-selection' }
  | { kind: 'attribute'; attribute: string | undefined }
  | { kind: 'invalid'; message: string };

const OAUTH = {
  timeout: 'OAUTH_TIMEOUT',
  abort: 'OAUTH_ABORT',
  notConform: 'OAUTH_RESPONSE_IS_NOT_CONFORM',
  claim: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  time: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  key: 'OAUTH_KEY_SELECTION_FAILED',
  attribute: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
} as const;

/** Sorts an error thrown by openid-client (or by fetch under it). Never includes a token. */
export function classify(error: unknown): Failure {
  if (error instanceof client.ResponseBodyError) {
    return {
      kind: 'oauth-error',
      error: error.error,
      description: error.error_description,
      status: error.status,
    };
  }
  if (error instanceof client.AuthorizationResponseError) {
    return {
      kind: 'authorization-error',
      error: error.error,
      description: error.error_description,
    };
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    // A 401 to client_secret_basic carries the OAuth error in its challenge (RFC 6749, 5.2).
    const challenge = error.cause.find(
      (c) => typeof c.parameters.error === 'string',
    );
    return challenge
      ? {
          kind: 'oauth-error',
          error: challenge.parameters.error!,
          description: challenge.parameters.error_description,
          status: error.status,
        }
      : { kind: 'http-status', status: error.status };
  }
  if (error instanceof client.ClientError) {
    const cause = error.cause as
      | { claim?: string; attribute?: string; status?: number; cause?: unknown }
      | undefined;
    const code = error.code;
    if (code === OAUTH.timeout || code === OAUTH.abort) {
      return { kind: 'timeout' };
    }
    if (code === OAUTH.notConform) {
      return {
        kind: 'http-status',
        status: cause instanceof Response ? cause.status : 0,
      };
    }
    if (code === OAUTH.claim) {
      return { kind: 'claim', claim: innerCause(error)?.claim };
    }
    if (code === OAUTH.time) {
      return { kind: 'time', claim: innerCause(error)?.claim };
    }
    if (code === OAUTH.key) {
      return { kind: 'key-selection' };
    }
    if (code === OAUTH.attribute) {
      return {
        kind: 'attribute',
        attribute: cause?.attribute ?? innerCause(error)?.attribute,
      };
    }
    return { kind: 'invalid', message: error.message };
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    return {
      kind: 'unreachable',
      code: typeof code === 'string' ? code : 'network error',
    };
  }
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return { kind: 'timeout' };
  }
  return {
    kind: 'invalid',
    message: error instanceof Error ? error.message : 'unknown error',
  };
}

/** openid-client wraps oauth4webapi's error, whose own `cause` names the claim or attribute. */
function innerCause(
  error: Error,
): { claim?: string; attribute?: string } | undefined {
  const inner = error.cause as { cause?: unknown } | undefined;
  const details = inner?.cause ?? inner;
  return typeof details === 'object' && details !== null ? details : undefined;
}

/** A one-line reason for logs and the doctor: no URL query, no token, no secret. */
export function describeFailure(failure: Failure): string {
  switch (failure.kind) {
    case 'timeout':
      return 'no answer within OIDC_TIMEOUT';
    case 'unreachable':
      return `unreachable (${failure.code})`;
    case 'http-status':
      return `answered HTTP ${failure.status}`;
    case 'oauth-error':
      return `answered ${failure.error} (HTTP ${failure.status})`;
    case 'authorization-error':
      return 'answered with an error';
    case 'claim':
      return `unexpected ${failure.claim ?? 'claim'} value`;
    case 'time':
      return `${failure.claim ?? 'a time claim'} out of range`;
    case 'key-selection':
      return 'no signing key of the provider matches';
    case 'attribute':
      return `unexpected ${failure.attribute ?? 'attribute'} value`;
    case 'invalid':
      break;
  }
  return failure.message;
}
