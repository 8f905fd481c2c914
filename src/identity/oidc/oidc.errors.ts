/**
 * Why an OpenID Connect sign-in failed. Every one ends on the login page with a message (the
 * phase-2 filter maps `reason` to it); none is a 5xx, and none carries a token, a code or a secret.
 */
export type OidcLoginFailure =
  | 'unknown-provider'
  | 'provider-unavailable'
  | 'discovery-invalid'
  | 'state-unknown'
  | 'state-expired'
  | 'browser-mismatch'
  | 'provider-refused'
  | 'code-rejected'
  | 'client-rejected'
  | 'token-request-failed'
  | 'nonce-mismatch'
  | 'clock-skew'
  | 'id-token-invalid'
  | 'userinfo-invalid'
  | 'claims-invalid';

export abstract class OidcLoginError extends Error {
  abstract readonly reason: OidcLoginFailure;

  constructor(
    message: string,
    /** The provider's id when known (for the audit trail and the log line). */
    readonly providerId?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class OidcUnknownProviderError extends OidcLoginError {
  readonly reason = 'unknown-provider';
  constructor(providerId: string) {
    super(`No OpenID provider "${printable(providerId, 40)}" is configured`);
  }
}

/** Unreachable, too slow (OIDC_TIMEOUT), or answering 5xx: worth trying again later. */
export class OidcProviderUnavailableError extends OidcLoginError {
  readonly reason = 'provider-unavailable';
  constructor(
    providerId: string,
    readonly detail: 'timeout' | 'unreachable' | 'server-error',
    what: string,
  ) {
    super(
      `OpenID provider ${providerId}: ${what} failed (${detail})`,
      providerId,
    );
  }
}

/** The discovery document is not one we can use: wrong issuer, not JSON, endpoints missing. */
export class OidcDiscoveryError extends OidcLoginError {
  readonly reason = 'discovery-invalid';
}

/** The callback's `state` matches no sign-in started here: tampered, replayed, or never issued. */
export class OidcStateUnknownError extends OidcLoginError {
  readonly reason = 'state-unknown';
  constructor(providerId?: string) {
    super('The sign-in response matches no sign-in started here', providerId);
  }
}

export class OidcStateExpiredError extends OidcLoginError {
  readonly reason = 'state-expired';
  constructor(providerId?: string) {
    super('The sign-in took longer than OIDC_LOGIN_TIMEOUT', providerId);
  }
}

/** The sign-in exists but was started in another browser (its binding cookie is missing or other). */
export class OidcBrowserMismatchError extends OidcLoginError {
  readonly reason = 'browser-mismatch';
  constructor(providerId?: string) {
    super('The sign-in was started in another browser', providerId);
  }
}

/** The provider answered the callback with `error=` (access_denied, login_required, ...). */
export class OidcProviderRefusedError extends OidcLoginError {
  readonly reason = 'provider-refused';
  /** The OAuth error code and description, reduced to the characters RFC 6749 allows. */
  readonly error: string;
  readonly description: string | undefined;
  constructor(providerId: string, error: unknown, description: unknown) {
    const code = oauthErrorCode(error);
    super(
      `OpenID provider ${providerId} refused the sign-in: ${code}`,
      providerId,
    );
    this.error = code;
    this.description = sanitiseDescription(description);
  }
}

/** The token endpoint refused the code (`invalid_grant`): used already, expired or not ours. */
export class OidcCodeRejectedError extends OidcLoginError {
  readonly reason = 'code-rejected';
  constructor(
    providerId: string,
    readonly description?: string,
  ) {
    super(
      `OpenID provider ${providerId} refused the authorization code`,
      providerId,
    );
  }
}

/** The token endpoint refused the bridge's client credentials: a configuration problem. */
export class OidcClientRejectedError extends OidcLoginError {
  readonly reason = 'client-rejected';
  constructor(
    providerId: string,
    readonly error: string,
    readonly description?: string,
  ) {
    super(
      `OpenID provider ${providerId} refused the client credentials (${error})`,
      providerId,
    );
  }
}

export class OidcTokenRequestError extends OidcLoginError {
  readonly reason = 'token-request-failed';
  constructor(
    providerId: string,
    readonly error: string,
    readonly description?: string,
  ) {
    super(
      `OpenID provider ${providerId}: token request failed (${error})`,
      providerId,
    );
  }
}

export class OidcNonceMismatchError extends OidcLoginError {
  readonly reason = 'nonce-mismatch';
  constructor(providerId: string) {
    super(
      `OpenID provider ${providerId}: the ID token's nonce is not this sign-in's`,
      providerId,
    );
  }
}

/** The ID token's times are off by more than CLOCK_TOLERANCE_SECONDS: one of the clocks is wrong. */
export class OidcClockSkewError extends OidcLoginError {
  readonly reason = 'clock-skew';
  constructor(
    providerId: string,
    readonly claim: 'iat' | 'exp' | 'nbf',
  ) {
    super(
      `OpenID provider ${providerId}: the ID token's ${claim} is off by more than the tolerated clock skew`,
      providerId,
    );
  }
}

/** Signature, issuer, audience, authorized party or a required claim of the ID token is wrong. */
export class OidcIdTokenInvalidError extends OidcLoginError {
  readonly reason = 'id-token-invalid';
}

export class OidcUserinfoInvalidError extends OidcLoginError {
  readonly reason = 'userinfo-invalid';
}

/** The claims lack what a bridge user needs (a user name), or have it in an unusable form. */
export class OidcClaimsError extends OidcLoginError {
  readonly reason = 'claims-invalid';
}

/** A back-channel logout token that must be answered with 400 (OpenID Back-Channel Logout 1.0, 2.8). */
export class BackchannelLogoutError extends Error {
  constructor(
    /** Short, stable, safe to log: `signature`, `issuer`, `events`, `replayed`, ... */
    readonly reason: string,
    message: string,
    /** The provider could not be asked for its keys: the sender may retry later. */
    readonly temporary = false,
  ) {
    super(message);
    this.name = 'BackchannelLogoutError';
  }
}

const OAUTH_CHARS = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

/** RFC 6749 `error`: %x20-21 / %x23-5B / %x5D-7E; anything else becomes `invalid_response`. */
export function oauthErrorCode(value: unknown): string {
  return typeof value === 'string' &&
    /^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(value)
    ? value
    : 'invalid_response';
}

/**
 * `error_description` as the provider sent it, reduced to RFC 6749's characters (no quotes,
 * backslashes, control characters or non-ASCII) and 200 characters: it may be shown on our page.
 */
export function sanitiseDescription(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const clean = value.replace(OAUTH_CHARS, ' ').replace(/\s+/g, ' ').trim();
  if (clean === '') {
    return undefined;
  }
  return clean.length > 200 ? `${clean.slice(0, 199)}…` : clean;
}

function printable(value: string, max: number): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
}

/** MongoDB could not store or find a sign-in or logout token: fail closed (503), retry later. */
export class OidcStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The OpenID sign-in store (MongoDB) is unavailable', { cause });
    this.name = 'OidcStoreUnavailableError';
  }
}
