import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import * as client from 'openid-client';
import {
  InjectConfig,
  providerVariable,
  type OidcConfig,
  type OidcProviderConfig,
} from '../../config/index.js';
import { CLOCK_TOLERANCE_SECONDS, OidcClock } from './oidc-clock.js';
import { OidcDiscovery } from './oidc-discovery.service.js';
import { classify, describeFailure } from './oidc-failure.js';
import { OidcLoginError, oauthErrorCode } from './oidc.errors.js';

/** The shape of a doctor line (src/doctor's CheckResult), so the doctor can print these as they are. */
export interface OidcProbeResult {
  /** `oidc.<provider>.discovery|credentials|uris|clock`. */
  readonly id: string;
  readonly title: string;
  readonly status: 'ok' | 'warn' | 'fail' | 'skip';
  /** Never a secret, a token or a code. */
  readonly message: string;
  readonly fix?: string;
}

/** A skew above this is worth a warning, though tokens are still accepted up to the tolerance. */
const SKEW_WARN_SECONDS = 10;

/**
 * `rc-bridge doctor`'s questions to each provider, answered without creating anything there:
 * discovery reachable and its issuer ours; the client credentials accepted (a token request with a
 * code that cannot exist: `invalid_grant` means the client authenticated, `invalid_client` or
 * `unauthorized_client` that it did not, as oidc-provider, Keycloak, Entra ID and Google answer);
 * the URIs to register; the provider's clock against ours (its Date header).
 */
@Injectable()
export class OidcDoctorProbes {
  constructor(
    @InjectConfig('oidc') private readonly oidc: OidcConfig,
    private readonly discovery: OidcDiscovery,
    private readonly clock: OidcClock,
  ) {}

  async probeAll(): Promise<OidcProbeResult[]> {
    const results = await Promise.all(
      this.oidc.providers.map((p) => this.probe(p.id)),
    );
    return results.flat();
  }

  async probe(providerId: string): Promise<OidcProbeResult[]> {
    const provider = this.discovery.provider(providerId);
    const line = lineMaker(provider);
    const uris = line(
      'uris',
      'URIs to register',
      'ok',
      `redirect URI ${provider.redirectUri}; back-channel logout URI ${this.oidc.backchannelLogoutUri}; ` +
        `post-logout redirect URI ${this.oidc.postLogoutRedirectUri}`,
    );
    const sentAt = this.clock.now();
    let found: Awaited<ReturnType<OidcDiscovery['discoverFresh']>>;
    try {
      found = await this.discovery.discoverFresh(provider.id);
    } catch (error) {
      const message =
        error instanceof OidcLoginError ? error.message : String(error);
      return [
        line(
          'discovery',
          'Discovery',
          'fail',
          message,
          `Check ${providerVariable(provider.id, 'issuer')} and that the bridge can reach ${provider.issuer}/.well-known/openid-configuration`,
        ),
        line(
          'credentials',
          'Client credentials',
          'skip',
          'not checked: discovery failed',
        ),
        uris,
        line('clock', 'Clock', 'skip', 'not checked: discovery failed'),
      ];
    }
    const receivedAt = this.clock.now();
    const meta = found.config.serverMetadata();
    const extras = [
      meta.end_session_endpoint
        ? 'RP-initiated logout'
        : 'no end_session_endpoint',
      meta.backchannel_logout_supported
        ? 'back-channel logout'
        : 'no back-channel logout announced',
    ];
    return [
      line(
        'discovery',
        'Discovery',
        'ok',
        `issuer ${meta.issuer} (${extras.join(', ')})`,
      ),
      await this.credentials(provider, found.config),
      uris,
      clockLine(provider, found.date, (sentAt + receivedAt) / 2),
    ];
  }

  private async credentials(
    provider: OidcProviderConfig,
    config: client.Configuration,
  ): Promise<OidcProbeResult> {
    const line = lineMaker(provider);
    const title = 'Client credentials';
    try {
      await client.genericGrantRequest(config, 'authorization_code', {
        code: `rc-bridge-doctor-${randomBytes(16).toString('hex')}`,
        redirect_uri: provider.redirectUri,
      });
      return line(
        'credentials',
        title,
        'warn',
        'the token endpoint accepted a made-up code',
        `Check that ${providerVariable(provider.id, 'issuer')} names the right provider`,
      );
    } catch (error) {
      const failure = classify(error);
      if (failure.kind === 'oauth-error') {
        const code = oauthErrorCode(failure.error);
        if (code === 'invalid_grant') {
          return line(
            'credentials',
            title,
            'ok',
            `client ${provider.clientId} authenticated (${provider.auth.method}; a made-up code was refused as invalid_grant)`,
          );
        }
        if (code === 'invalid_client' || code === 'unauthorized_client') {
          return line(
            'credentials',
            title,
            'fail',
            `the provider refused client ${provider.clientId} (${code}, ${provider.auth.method})`,
            `Check the client id, its ${provider.auth.method === 'private_key_jwt' ? 'registered public key and key id' : 'secret'} and the token endpoint auth method at the provider`,
          );
        }
        return line(
          'credentials',
          title,
          'warn',
          `inconclusive: the token endpoint answered ${code}`,
          'Check the client at the provider (authorization code grant enabled)',
        );
      }
      return line(
        'credentials',
        title,
        'fail',
        `token endpoint ${describeFailure(failure)}`,
        "Check that the bridge can reach the provider's token endpoint",
      );
    }
  }
}

function clockLine(
  provider: OidcProviderConfig,
  date: string | undefined,
  ourTime: number,
): OidcProbeResult {
  const line = lineMaker(provider);
  const theirs = date ? Date.parse(date) : Number.NaN;
  if (Number.isNaN(theirs)) {
    return line('clock', 'Clock', 'skip', 'the provider sent no Date header');
  }
  // The Date header has whole seconds: up to one second of the difference is rounding.
  const skew = Math.round((ourTime - theirs) / 1000);
  const words =
    skew === 0
      ? 'in step'
      : `${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the provider`;
  if (Math.abs(skew) > CLOCK_TOLERANCE_SECONDS) {
    return line(
      'clock',
      'Clock',
      'fail',
      `this machine's clock is ${words}`,
      `Sign-ins are refused beyond ${CLOCK_TOLERANCE_SECONDS} s: synchronise the clocks (NTP)`,
    );
  }
  if (Math.abs(skew) > SKEW_WARN_SECONDS) {
    return line(
      'clock',
      'Clock',
      'warn',
      `this machine's clock is ${words}`,
      'Synchronise the clocks (NTP)',
    );
  }
  return line('clock', 'Clock', 'ok', `this machine's clock is ${words}`);
}

function lineMaker(provider: OidcProviderConfig) {
  return (
    check: string,
    title: string,
    status: OidcProbeResult['status'],
    message: string,
    fix?: string,
  ): OidcProbeResult => ({
    id: `oidc.${provider.id}.${check}`,
    title: `OpenID ${provider.id}: ${title}`,
    status,
    message,
    ...(fix ? { fix } : {}),
  });
}
