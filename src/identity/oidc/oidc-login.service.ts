import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import * as client from 'openid-client';
import {
  InjectConfig,
  type OidcConfig,
  type OidcProviderConfig,
} from '../../config/index.js';
import type { AuthenticatedPerson } from '../authenticated-person.js';
import { CLOCK_TOLERANCE_SECONDS, OidcClock } from './oidc-clock.js';
import { OidcDiscovery } from './oidc-discovery.service.js';
import {
  OidcBrowserMismatchError,
  OidcStateExpiredError,
  OidcStateUnknownError,
} from './oidc.errors.js';
import {
  checkIdTokenTimes,
  grantFailure,
  userinfoFailure,
} from './oidc-grant-errors.js';
import { PendingLoginRepository } from './pending-login.repository.js';
import { personFromClaims, type Claims } from './person-from-claims.js';

export interface BeginLoginInput {
  readonly providerId: string;
  /** Where to go after signing in; the caller has validated it (a path on the bridge). */
  readonly next: string;
  /** Started in a popup opened from Rocket.Chat's iframe. */
  readonly popup: boolean;
}

export interface BeginLoginResult {
  /** Send the browser here (redirect or popup). */
  readonly authorizationUrl: string;
  /** Put this in a short-lived, HttpOnly cookie; the callback must bring it back. */
  readonly browserBinding: string;
  readonly expiresAt: Date;
}

export interface FinishLoginInput {
  readonly providerId: string;
  /** The callback's query string (with or without `?`), as the provider sent it. */
  readonly callbackQuery: string | URLSearchParams;
  /** The binding cookie's value, if the browser sent one. */
  readonly browserBinding: string | undefined;
}

export interface OidcLoginResult {
  readonly person: AuthenticatedPerson;
  readonly issuer: string;
  /** OIDC_LINK_BY_EMAIL of that provider: may a verified address take over an existing user? */
  readonly linkByEmail: boolean;
  readonly next: string;
  readonly popup: boolean;
  /** To keep with the bridge session: back-channel logout matches on sub/sid, logout needs the token. */
  readonly providerSession: {
    readonly providerId: string;
    readonly sub: string;
    readonly sid: string | undefined;
    /** The raw ID token (a bearer secret of sorts): seal it (IdTokenSealer) before storing. */
    readonly idToken: string;
  };
}

/**
 * The authorization code flow with PKCE (S256), state and nonce. `begin` stores what the callback
 * is checked against (server-side, bound to the browser); `finish` consumes it once, exchanges the
 * code, validates the ID token (openid-client: signature through the provider's JWKS, issuer,
 * audience, expiry, nonce; here: iat and exp against our clock too), asks userinfo if configured
 * and maps the claims. Every failure is an OidcLoginError.
 */
@Injectable()
export class OidcLoginService {
  constructor(
    @InjectConfig('oidc') private readonly oidc: OidcConfig,
    private readonly discovery: OidcDiscovery,
    private readonly pending: PendingLoginRepository,
    private readonly clock: OidcClock,
  ) {}

  async begin(input: BeginLoginInput): Promise<BeginLoginResult> {
    const provider = this.discovery.provider(input.providerId);
    const config = await this.discovery.configuration(provider.id);
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const browserBinding = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now + this.oidc.loginTimeoutMs);
    await this.pending.insert({
      _id: sha256(state),
      bindingHash: sha256(browserBinding),
      providerId: provider.id,
      nonce,
      codeVerifier,
      next: input.next,
      popup: input.popup,
      createdAt: new Date(now),
      expiresAt,
    });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: provider.redirectUri,
      scope: provider.scopes.join(' '),
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { authorizationUrl: url.href, browserBinding, expiresAt };
  }

  async finish(input: FinishLoginInput): Promise<OidcLoginResult> {
    const provider = this.discovery.provider(input.providerId);
    const params = new URLSearchParams(input.callbackQuery);
    const state = params.get('state');
    if (!state || params.getAll('state').length !== 1) {
      throw new OidcStateUnknownError(provider.id);
    }
    if (!input.browserBinding) {
      throw new OidcBrowserMismatchError(provider.id);
    }
    const outcome = await this.pending.consume(
      sha256(state),
      sha256(input.browserBinding),
      new Date(this.clock.now()),
    );
    if (!outcome.ok) {
      throw outcome.why === 'expired'
        ? new OidcStateExpiredError(provider.id)
        : outcome.why === 'other-browser'
          ? new OidcBrowserMismatchError(provider.id)
          : new OidcStateUnknownError(provider.id);
    }
    const login = outcome.record;
    if (login.providerId !== provider.id) {
      // A callback on another provider's route: never let one provider's code reach another.
      throw new OidcStateUnknownError(provider.id);
    }

    const config = await this.discovery.configuration(provider.id);
    const callback = new URL(provider.redirectUri);
    callback.search = params.toString();
    let tokens: client.TokenEndpointResponse &
      client.TokenEndpointResponseHelpers;
    try {
      tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: login.codeVerifier,
        expectedNonce: login.nonce,
        expectedState: state,
        idTokenExpected: true,
      });
    } catch (error) {
      throw grantFailure(provider.id, error, () =>
        this.discovery.forget(provider.id),
      );
    }
    const idClaims = tokens.claims()!;
    checkIdTokenTimes(
      provider.id,
      idClaims,
      this.clock.now(),
      CLOCK_TOLERANCE_SECONDS,
    );
    const claims = await this.withUserinfo(provider, config, tokens, idClaims);
    return {
      person: personFromClaims(provider, claims),
      issuer: provider.issuer,
      linkByEmail: provider.linkByEmail,
      next: login.next,
      popup: login.popup,
      providerSession: {
        providerId: provider.id,
        sub: idClaims.sub,
        sid: typeof idClaims.sid === 'string' ? idClaims.sid : undefined,
        idToken: tokens.id_token!,
      },
    };
  }

  /** Userinfo's claims over the ID token's (its `sub` must match, openid-client checks). */
  private async withUserinfo(
    provider: OidcProviderConfig,
    config: client.Configuration,
    tokens: client.TokenEndpointResponse,
    idClaims: client.IDToken,
  ): Promise<Claims> {
    if (!provider.userinfo || !config.serverMetadata().userinfo_endpoint) {
      return idClaims;
    }
    try {
      const info = await client.fetchUserInfo(
        config,
        tokens.access_token,
        idClaims.sub,
      );
      return { ...idClaims, ...info, sub: idClaims.sub };
    } catch (error) {
      throw userinfoFailure(provider.id, error);
    }
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
