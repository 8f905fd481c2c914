import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type OidcConfig } from '../../config/index.js';
import {
  IdTokenSealer,
  IdTokenUnsealError,
  OidcEndSessionService,
} from '../../identity/index.js';
import type { Session } from '../../session/index.js';

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) for a session that just ended: the
 * provider's end_session_endpoint with the session's ID token as id_token_hint and
 * post_logout_redirect_uri PUBLIC_URL/login/. Nothing for a session that did not come through a
 * provider, a provider with OIDC_LOGOUT_AT_PROVIDER=false or without the endpoint, or when the
 * provider cannot be asked now (the bridge's logout never waits for, or fails with, a provider).
 */
@Injectable()
export class ProviderLogout {
  private readonly logger = new Logger(ProviderLogout.name);

  constructor(
    @InjectConfig('oidc') private readonly oidc: OidcConfig,
    private readonly endSession: OidcEndSessionService,
    private readonly sealer: IdTokenSealer,
  ) {}

  async forEnded(
    session: Session | null,
  ): Promise<{ url: string; name: string } | undefined> {
    const link = session?.oidc;
    const provider = link
      ? this.oidc.providers.find((p) => p.id === link.providerId)
      : undefined;
    if (!session || !link?.idToken || !provider?.logoutAtProvider) {
      return undefined;
    }
    let idToken: string;
    try {
      idToken = this.sealer.open(link.idToken, session.id);
    } catch (error) {
      if (!(error instanceof IdTokenUnsealError)) {
        throw error;
      }
      // TOKEN_ENCRYPTION_KEY rotated twice since: log out at the provider without the hint.
      this.logger.warn(
        `The ID token of session ${session.id} could not be opened; logging out at ${provider.id} without id_token_hint`,
      );
      idToken = '';
    }
    try {
      const url = await this.endSession.endSessionUrl({
        providerId: provider.id,
        ...(idToken ? { idToken } : {}),
      });
      return url === undefined ? undefined : { url, name: provider.name };
    } catch (error) {
      this.logger.warn(
        `No logout at OpenID provider ${provider.id}: ${error instanceof Error ? error.message : 'unknown error'}`,
      );
      return undefined;
    }
  }
}
