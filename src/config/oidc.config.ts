import type { AppConfig } from './app.config.js';
import type { EnvReader } from './env.js';
import {
  DEFAULT_PROVIDER_ID,
  providerVariable,
  readOidcProvider,
  type OidcProviderConfig,
} from './oidc-provider.config.js';

export type {
  OidcAssertionAlg,
  OidcClaimNames,
  OidcClientAuth,
  OidcProviderConfig,
  OidcTokenAuthMethod,
} from './oidc-provider.config.js';
export {
  DEFAULT_PROVIDER_ID,
  providerVariable,
} from './oidc-provider.config.js';

export interface OidcConfig {
  /** Empty: OpenID Connect sign-in is off and nothing else changes. */
  readonly providers: readonly OidcProviderConfig[];
  /** Deadline of each request to a provider (discovery, JWKS, token, userinfo). */
  readonly timeoutMs: number;
  /** How long a started sign-in may take at the provider before its callback is refused. */
  readonly loginTimeoutMs: number;
  /** PUBLIC_URL/login/oidc/backchannel-logout: one address for every provider. */
  readonly backchannelLogoutUri: string;
  /** Where a provider sends the browser back after RP-initiated logout. */
  readonly postLogoutRedirectUri: string;
}

/** Ids become paths (/login/oidc/<id>/callback): these would collide with fixed routes. */
const RESERVED_IDS = new Set([
  DEFAULT_PROVIDER_ID,
  'callback',
  'backchannel-logout',
  'logout',
  'start',
  'popup',
]);
const ID = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

export function readOidcConfig(r: EnvReader, app: AppConfig): OidcConfig {
  const providers: OidcProviderConfig[] = [];
  const main = readOidcProvider(r, DEFAULT_PROVIDER_ID, app.publicUrl);
  if (main) {
    providers.push(main);
  }
  const listed = r.list('OIDC_PROVIDERS');
  const seen = new Set<string>();
  for (const id of listed?.items ?? []) {
    if (!ID.test(id)) {
      r.fail(
        'OIDC_PROVIDERS',
        'must list ids of 2-32 lower-case letters, digits or -, starting with a letter',
      );
      continue;
    }
    if (RESERVED_IDS.has(id)) {
      r.fail(
        'OIDC_PROVIDERS',
        `must not use the reserved ids ${[...RESERVED_IDS].join(', ')}`,
      );
      continue;
    }
    if (seen.has(id)) {
      r.fail('OIDC_PROVIDERS', 'must not list an id twice');
      continue;
    }
    seen.add(id);
    const provider = readOidcProvider(r, id, app.publicUrl);
    if (provider) {
      providers.push(provider);
    }
  }
  refuseSharedClients(r, providers);
  return {
    providers,
    timeoutMs: r.durationMs('OIDC_TIMEOUT', {
      default: 5000,
      min: 500,
      max: 60_000,
    }),
    loginTimeoutMs: r.durationMs('OIDC_LOGIN_TIMEOUT', {
      default: 10 * 60_000,
      min: 60_000,
      max: 3_600_000,
    }),
    backchannelLogoutUri: `${app.publicUrl}/login/oidc/backchannel-logout`,
    postLogoutRedirectUri: `${app.publicUrl}/login/`,
  };
}

/**
 * Back-channel logout tokens are routed to their provider by `iss` and `aud`: two providers with
 * the same issuer and client id could not be told apart.
 */
function refuseSharedClients(
  r: EnvReader,
  providers: readonly OidcProviderConfig[],
): void {
  const pairs = new Set<string>();
  for (const provider of providers) {
    const pair = `${provider.issuer}\n${provider.clientId}`;
    if (pairs.has(pair)) {
      r.fail(
        providerVariable(provider.id, 'clientId'),
        'repeats the issuer and client id of another provider: each provider needs its own client',
      );
    }
    pairs.add(pair);
  }
}
