import type * as client from 'openid-client';
import { classify, describeFailure } from './oidc-failure.js';
import {
  OidcClientRejectedError,
  OidcClockSkewError,
  OidcCodeRejectedError,
  OidcIdTokenInvalidError,
  OidcNonceMismatchError,
  type OidcLoginError,
  OidcProviderRefusedError,
  OidcProviderUnavailableError,
  OidcStateUnknownError,
  OidcTokenRequestError,
  OidcUserinfoInvalidError,
  oauthErrorCode,
  sanitiseDescription,
} from './oidc.errors.js';

/**
 * The domain error for a failed authorizationCodeGrant: the callback's own `error=`, the token
 * endpoint's answer, or the ID token's validation. `onKeyMissing` runs when no key of the
 * provider's JWKS matched (a rotation openid-client's one-minute refetch floor has not seen yet).
 */
export function grantFailure(
  providerId: string,
  error: unknown,
  onKeyMissing: () => void,
): OidcLoginError {
  const failure = classify(error);
  switch (failure.kind) {
    case 'authorization-error':
      return new OidcProviderRefusedError(
        providerId,
        failure.error,
        failure.description,
      );
    case 'timeout':
      return new OidcProviderUnavailableError(
        providerId,
        'timeout',
        'token request',
      );
    case 'unreachable':
      return new OidcProviderUnavailableError(
        providerId,
        'unreachable',
        'token request',
      );
    case 'http-status':
      return failure.status >= 500 || failure.status === 429
        ? new OidcProviderUnavailableError(
            providerId,
            'server-error',
            'token request',
          )
        : new OidcTokenRequestError(providerId, `HTTP ${failure.status}`);
    case 'oauth-error': {
      const code = oauthErrorCode(failure.error);
      const description = sanitiseDescription(failure.description);
      if (code === 'invalid_grant') {
        return new OidcCodeRejectedError(providerId, description);
      }
      if (code === 'invalid_client' || code === 'unauthorized_client') {
        return new OidcClientRejectedError(providerId, code, description);
      }
      return failure.status >= 500
        ? new OidcProviderUnavailableError(
            providerId,
            'server-error',
            'token request',
          )
        : new OidcTokenRequestError(providerId, code, description);
    }
    case 'claim':
      return failure.claim === 'nonce'
        ? new OidcNonceMismatchError(providerId)
        : new OidcIdTokenInvalidError(
            `OpenID provider ${providerId}: ID token ${describeFailure(failure)}`,
            providerId,
          );
    case 'time':
      return new OidcClockSkewError(providerId, timeClaim(failure.claim));
    case 'key-selection':
      onKeyMissing();
      return new OidcIdTokenInvalidError(
        `OpenID provider ${providerId}: ID token signed with a key not (yet) in the provider's JWKS`,
        providerId,
      );
    case 'attribute':
      // The authorization response's `state` or `iss` (RFC 9207) is not what was sent.
      return failure.attribute === 'iss'
        ? new OidcIdTokenInvalidError(
            `OpenID provider ${providerId}: the response names another issuer`,
            providerId,
          )
        : new OidcStateUnknownError(providerId);
    case 'invalid':
      break;
  }
  return new OidcIdTokenInvalidError(
    `OpenID provider ${providerId}: ${failure.message}`,
    providerId,
  );
}

export function userinfoFailure(
  providerId: string,
  error: unknown,
): OidcLoginError {
  const failure = classify(error);
  if (failure.kind === 'timeout' || failure.kind === 'unreachable') {
    return new OidcProviderUnavailableError(
      providerId,
      failure.kind,
      'userinfo request',
    );
  }
  if (
    (failure.kind === 'http-status' || failure.kind === 'oauth-error') &&
    (failure.status >= 500 || failure.status === 429)
  ) {
    return new OidcProviderUnavailableError(
      providerId,
      'server-error',
      'userinfo request',
    );
  }
  return new OidcUserinfoInvalidError(
    `OpenID provider ${providerId}: userinfo ${describeFailure(failure)}`,
    providerId,
  );
}

/**
 * openid-client judges `exp` by the system time and does not look at `iat` at all; this judges
 * both (and `nbf`) by the bridge's clock, with the same tolerance: an ID token issued in our
 * future or already expired means one of the two clocks is wrong, and the message says so.
 */
export function checkIdTokenTimes(
  providerId: string,
  claims: client.IDToken,
  nowMs: number,
  toleranceSeconds: number,
): void {
  const now = Math.floor(nowMs / 1000);
  if (claims.iat > now + toleranceSeconds) {
    throw new OidcClockSkewError(providerId, 'iat');
  }
  if (claims.exp <= now - toleranceSeconds) {
    throw new OidcClockSkewError(providerId, 'exp');
  }
  if (typeof claims.nbf === 'number' && claims.nbf > now + toleranceSeconds) {
    throw new OidcClockSkewError(providerId, 'nbf');
  }
}

function timeClaim(claim: string | undefined): 'iat' | 'exp' | 'nbf' {
  return claim === 'iat' || claim === 'nbf' ? claim : 'exp';
}
