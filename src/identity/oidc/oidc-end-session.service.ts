import { Injectable } from '@nestjs/common';
import * as client from 'openid-client';
import { InjectConfig, type OidcConfig } from '../../config/index.js';
import { OidcDiscovery } from './oidc-discovery.service.js';

export interface EndSessionInput {
  readonly providerId: string;
  /** The session's ID token (opened with IdTokenSealer), sent as id_token_hint. */
  readonly idToken?: string;
  /** Echoed back to the post-logout redirect URI. */
  readonly state?: string;
}

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the provider's end_session_endpoint
 * with id_token_hint, post_logout_redirect_uri and client_id. Undefined when the provider offers
 * no such endpoint (Google); throws OidcProviderUnavailableError when it cannot be discovered.
 */
@Injectable()
export class OidcEndSessionService {
  constructor(
    @InjectConfig('oidc') private readonly oidc: OidcConfig,
    private readonly discovery: OidcDiscovery,
  ) {}

  async endSessionUrl(input: EndSessionInput): Promise<string | undefined> {
    const config = await this.discovery.configuration(input.providerId);
    if (!config.serverMetadata().end_session_endpoint) {
      return undefined;
    }
    const parameters: Record<string, string> = {
      post_logout_redirect_uri: this.oidc.postLogoutRedirectUri,
    };
    if (input.idToken) {
      parameters.id_token_hint = input.idToken;
    }
    if (input.state) {
      parameters.state = input.state;
    }
    // buildEndSessionUrl adds client_id itself.
    return client.buildEndSessionUrl(config, parameters).href;
  }
}
