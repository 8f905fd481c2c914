import { createHash, createPrivateKey } from 'node:crypto';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { importPKCS8 } from 'jose';
import * as client from 'openid-client';
import {
  InjectConfig,
  type OidcConfig,
  type OidcProviderConfig,
} from '../../config/index.js';
import { CLOCK_TOLERANCE_SECONDS } from './oidc-clock.js';
import { classify, describeFailure, type Failure } from './oidc-failure.js';
import {
  OidcDiscoveryError,
  OidcProviderUnavailableError,
  OidcUnknownProviderError,
} from './oidc.errors.js';

/** A discovered provider is asked again after this long (keys are refreshed on their own). */
const REDISCOVER_AFTER_MS = 6 * 3_600_000;

interface Cached {
  readonly config: client.Configuration;
  readonly at: number;
}

/**
 * The providers' metadata and openid-client Configuration, discovered lazily and cached. A failed
 * discovery is not cached: the next sign-in asks again, so a provider that was down at start-up
 * works as soon as it is back. Concurrent callers share one request; each is bounded by
 * OIDC_TIMEOUT. A stale entry whose refresh fails is kept (logged) rather than breaking sign-in.
 */
@Injectable()
export class OidcDiscovery implements OnApplicationBootstrap {
  private readonly logger = new Logger(OidcDiscovery.name);
  private readonly cached = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<client.Configuration>>();

  constructor(@InjectConfig('oidc') private readonly oidc: OidcConfig) {}

  get providers(): readonly OidcProviderConfig[] {
    return this.oidc.providers;
  }

  provider(id: string): OidcProviderConfig {
    const provider = this.oidc.providers.find((p) => p.id === id);
    if (!provider) {
      throw new OidcUnknownProviderError(id);
    }
    return provider;
  }

  /** Warms the cache without holding up the start: a provider down now is retried at sign-in. */
  onApplicationBootstrap(): void {
    for (const provider of this.oidc.providers) {
      this.configuration(provider.id).then(
        () => this.logger.log(`OpenID provider ${provider.id} discovered`),
        (error: unknown) =>
          this.logger.warn(
            `OpenID provider ${provider.id} not available yet (${(error as Error).message}); retried at the next sign-in`,
          ),
      );
    }
  }

  async configuration(providerId: string): Promise<client.Configuration> {
    const provider = this.provider(providerId);
    const cached = this.cached.get(providerId);
    if (cached && Date.now() - cached.at < REDISCOVER_AFTER_MS) {
      return cached.config;
    }
    let pending = this.inFlight.get(providerId);
    if (!pending) {
      pending = this.discover(provider).finally(() =>
        this.inFlight.delete(providerId),
      );
      this.inFlight.set(providerId, pending);
    }
    try {
      const config = await pending;
      this.cached.set(providerId, { config, at: Date.now() });
      return config;
    } catch (error) {
      if (cached) {
        this.logger.warn(
          `OpenID provider ${providerId}: refreshing its metadata failed (${(error as Error).message}); using the previous copy`,
        );
        return cached.config;
      }
      throw error;
    }
  }

  /**
   * Drops the cached metadata and with it openid-client's key cache: after a signature key the
   * provider rotated in could not be found, the next sign-in fetches both afresh.
   */
  forget(providerId: string): void {
    this.cached.delete(providerId);
  }

  /** A discovery that bypasses the cache (the doctor), with the raw HTTP answer's Date header. */
  async discoverFresh(
    providerId: string,
  ): Promise<{ config: client.Configuration; date: string | undefined }> {
    const provider = this.provider(providerId);
    let date: string | undefined;
    const config = await this.discover(provider, async (url, options) => {
      const response = await fetch(url, options as RequestInit);
      date = response.headers.get('date') ?? undefined;
      return response;
    });
    return { config, date };
  }

  private async discover(
    provider: OidcProviderConfig,
    fetchImpl?: client.CustomFetch,
  ): Promise<client.Configuration> {
    const execute = [client.enableNonRepudiationChecks];
    if (provider.insecureHttp) {
      execute.push(client.allowInsecureRequests);
    }
    const metadata: Partial<client.ClientMetadata> = {
      [client.clockTolerance]: CLOCK_TOLERANCE_SECONDS,
    };
    try {
      return await client.discovery(
        new URL(provider.issuer),
        provider.clientId,
        metadata,
        await clientAuthentication(provider),
        {
          timeout: this.oidc.timeoutMs / 1000,
          execute,
          ...(fetchImpl ? { [client.customFetch]: fetchImpl } : {}),
        },
      );
    } catch (error) {
      throw discoveryFailure(provider, classify(error));
    }
  }
}

function discoveryFailure(
  provider: OidcProviderConfig,
  failure: Failure,
): Error {
  if (failure.kind === 'timeout' || failure.kind === 'unreachable') {
    return new OidcProviderUnavailableError(
      provider.id,
      failure.kind,
      'discovery',
    );
  }
  if (
    failure.kind === 'http-status' &&
    (failure.status >= 500 || failure.status === 429)
  ) {
    return new OidcProviderUnavailableError(
      provider.id,
      'server-error',
      'discovery',
    );
  }
  if (failure.kind === 'attribute' && failure.attribute === 'issuer') {
    return new OidcDiscoveryError(
      `OpenID provider ${provider.id}: the discovery document names another issuer than ${provider.issuer}`,
      provider.id,
    );
  }
  return new OidcDiscoveryError(
    `OpenID provider ${provider.id}: discovery document unusable (${describeFailure(failure)})`,
    provider.id,
  );
}

/** openid-client's client authentication for the configured method; keys imported once each. */
async function clientAuthentication(
  provider: OidcProviderConfig,
): Promise<client.ClientAuth> {
  const auth = provider.auth;
  if (auth.method !== 'private_key_jwt') {
    return auth.method === 'client_secret_basic'
      ? client.ClientSecretBasic(auth.clientSecret)
      : client.ClientSecretPost(auth.clientSecret);
  }
  const key = await importPKCS8(auth.privateKeyPem, auth.alg);
  return client.PrivateKeyJwt({
    key,
    kid: auth.keyId ?? jwkThumbprint(auth.privateKeyPem),
  });
}

/** RFC 7638 thumbprint of the key's public half: the default `kid` of its assertions. */
export function jwkThumbprint(privateKeyPem: string): string {
  const jwk = createPrivateKey(privateKeyPem).export({ format: 'jwk' });
  const members: Record<string, readonly string[]> = {
    RSA: ['e', 'kty', 'n'],
    EC: ['crv', 'kty', 'x', 'y'],
    OKP: ['crv', 'kty', 'x'],
  };
  const required = members[jwk.kty ?? ''] ?? [];
  const canonical = JSON.stringify(
    Object.fromEntries(
      required.map((name) => [name, (jwk as Record<string, unknown>)[name]]),
    ),
  );
  return createHash('sha256').update(canonical).digest('base64url');
}
