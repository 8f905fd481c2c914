import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  createRemoteJWKSet,
  decodeJwt,
  errors,
  jwtVerify,
  type JWTPayload,
} from 'jose';
import {
  InjectConfig,
  type OidcConfig,
  type OidcProviderConfig,
} from '../../config/index.js';
import { LogoutTokenRepository } from './logout-token.repository.js';
import { CLOCK_TOLERANCE_SECONDS, OidcClock } from './oidc-clock.js';
import { OidcDiscovery } from './oidc-discovery.service.js';
import { BackchannelLogoutError, OidcLoginError } from './oidc.errors.js';

export const BACKCHANNEL_LOGOUT_EVENT =
  'http://schemas.openid.net/event/backchannel-logout';

/** A logout token issued longer ago than this is refused (they are sent the moment of logout). */
const MAX_TOKEN_AGE_SECONDS = 300;
const MAX_TOKEN_LENGTH = 16_384;
/**
 * A token whose kid is not in the cached JWKS makes jose fetch the JWKS again, at most this often
 * (so strangers posting made-up kids cost the provider one request per 5 s): a key the provider
 * rotated in is picked up at once unless the keys were fetched in the last 5 seconds.
 */
export const JWKS_REFETCH_COOLDOWN_MS = 5000;
/** Asymmetric signatures only: a logout token is verified with the provider's published keys. */
const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

export interface BackchannelLogoutRequest {
  readonly providerId: string;
  /** At least one of the two; end the sessions of `sub` at that provider, or the one with `sid`. */
  readonly sub: string | undefined;
  readonly sid: string | undefined;
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/**
 * OpenID Connect Back-Channel Logout 1.0, section 2.6: validates a `logout_token`. One endpoint
 * serves every provider: the token's (still unverified) `iss` and `aud` pick the provider, then
 * everything is verified against that provider alone: signature by its JWKS, iss, aud, iat not
 * older than 5 minutes nor in the future, exp if present, the logout event, sub and/or sid, no
 * nonce, and a jti not seen before (kept until the token could no longer be accepted).
 */
@Injectable()
export class BackchannelLogoutService {
  private readonly keySets = new Map<string, { uri: string; keys: KeySet }>();

  constructor(
    @InjectConfig('oidc') private readonly oidc: OidcConfig,
    private readonly discovery: OidcDiscovery,
    private readonly seen: LogoutTokenRepository,
    private readonly clock: OidcClock,
  ) {}

  async validate(logoutToken: unknown): Promise<BackchannelLogoutRequest> {
    if (
      typeof logoutToken !== 'string' ||
      logoutToken.length > MAX_TOKEN_LENGTH ||
      logoutToken.split('.').length !== 3
    ) {
      throw refuse('malformed', 'logout_token is not a signed JWT');
    }
    const provider = this.providerFor(logoutToken);
    const claims = await this.verify(provider, logoutToken);
    checkLogoutClaims(claims);
    const now = this.clock.now();
    const keepUntil =
      Math.max(
        typeof claims.exp === 'number' ? claims.exp : 0,
        claims.iat! + MAX_TOKEN_AGE_SECONDS,
      ) + CLOCK_TOLERANCE_SECONDS;
    const fresh = await this.seen.remember({
      _id: createHash('sha256')
        .update(`${provider.issuer}\n${claims.jti}`)
        .digest('hex'),
      providerId: provider.id,
      receivedAt: new Date(now),
      expiresAt: new Date(keepUntil * 1000),
    });
    if (!fresh) {
      throw refuse('replayed', 'logout token already used (jti seen before)');
    }
    return {
      providerId: provider.id,
      sub: claims.sub,
      sid: typeof claims.sid === 'string' ? claims.sid : undefined,
    };
  }

  private providerFor(token: string): OidcProviderConfig {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw refuse('malformed', 'logout_token is not a JWT');
    }
    const audiences = Array.isArray(unverified.aud)
      ? unverified.aud
      : [unverified.aud];
    const provider = this.oidc.providers.find(
      (p) => p.issuer === unverified.iss && audiences.includes(p.clientId),
    );
    if (!provider) {
      throw refuse(
        'issuer-audience',
        'no configured provider has this issuer and audience',
      );
    }
    return provider;
  }

  private async verify(
    provider: OidcProviderConfig,
    token: string,
  ): Promise<JWTPayload> {
    const keys = await this.keysOf(provider);
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: provider.issuer,
        audience: provider.clientId,
        algorithms: ALGORITHMS,
        requiredClaims: ['iat', 'jti'],
        maxTokenAge: MAX_TOKEN_AGE_SECONDS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(this.clock.now()),
      });
      return payload;
    } catch (error) {
      throw verificationFailure(error);
    }
  }

  /** jose's remote key set per provider: cached 10 minutes, fetched again for an unknown kid. */
  private async keysOf(provider: OidcProviderConfig): Promise<KeySet> {
    let uri: string | undefined;
    try {
      uri = (await this.discovery.configuration(provider.id)).serverMetadata()
        .jwks_uri;
    } catch (error) {
      const reason = error instanceof OidcLoginError ? error.reason : 'error';
      throw refuse(
        'provider',
        `provider metadata unavailable (${reason})`,
        true,
      );
    }
    if (!uri) {
      throw refuse('provider', 'the provider publishes no jwks_uri');
    }
    const known = this.keySets.get(provider.id);
    if (known?.uri === uri) {
      return known.keys;
    }
    const keys = createRemoteJWKSet(new URL(uri), {
      timeoutDuration: this.oidc.timeoutMs,
      cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
      cacheMaxAge: 600_000,
    });
    this.keySets.set(provider.id, { uri, keys });
    return keys;
  }
}

function checkLogoutClaims(claims: JWTPayload): void {
  const events = claims.events as Record<string, unknown> | undefined;
  const event =
    typeof events === 'object' && events !== null && !Array.isArray(events)
      ? events[BACKCHANNEL_LOGOUT_EVENT]
      : undefined;
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw refuse(
      'events',
      'the events claim lacks the back-channel logout event',
    );
  }
  const sub = claims.sub;
  const sid = claims.sid;
  if (sub !== undefined && (typeof sub !== 'string' || sub === '')) {
    throw refuse('sub', 'sub is not a string');
  }
  if (sid !== undefined && (typeof sid !== 'string' || sid === '')) {
    throw refuse('sid', 'sid is not a string');
  }
  if (sub === undefined && sid === undefined) {
    throw refuse('sub-sid', 'neither sub nor sid is present');
  }
  if ('nonce' in claims) {
    throw refuse('nonce', 'a logout token must not contain a nonce');
  }
  if (typeof claims.jti !== 'string' || claims.jti === '') {
    throw refuse('jti', 'jti is missing');
  }
}

function verificationFailure(error: unknown): BackchannelLogoutError {
  if (error instanceof errors.JWTExpired) {
    // exp in the past, or (maxTokenAge) an iat too long ago.
    return error.claim === 'exp'
      ? refuse('expired', 'logout token expired')
      : refuse(error.claim, `logout token ${error.claim} too old`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return refuse(
      error.claim,
      `logout token ${error.claim} check failed (${error.reason})`,
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return refuse('signature', 'logout token signature invalid');
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return refuse(
      'signature',
      'no key of the provider matches the logout token',
    );
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return refuse('signature', 'logout token signature algorithm not allowed');
  }
  if (error instanceof errors.JWKSTimeout || error instanceof TypeError) {
    return refuse('provider', 'the provider keys could not be fetched', true);
  }
  if (error instanceof errors.JOSEError) {
    return refuse('malformed', `logout token invalid (${error.code})`);
  }
  return refuse('malformed', 'logout token invalid');
}

function refuse(
  reason: string,
  message: string,
  temporary = false,
): BackchannelLogoutError {
  return new BackchannelLogoutError(reason, message, temporary);
}
