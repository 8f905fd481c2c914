import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  InjectConfig,
  type OidcConfig,
  type OidcProviderConfig,
} from '../../config/index.js';
import {
  IdTokenSealer,
  OidcDiscovery,
  OidcLoginError,
  OidcLoginService,
  OidcProviderRefusedError,
  OidcStoreUnavailableError,
  type BeginLoginResult,
  type OidcLoginResult,
} from '../../identity/index.js';
import type { ProviderSession, Session } from '../../session/index.js';
import type { BridgeUser } from '../../users/index.js';
import { ExternalSignInEvent } from '../events/external-sign-in.event.js';
import type { LoginClient } from '../events/login-client.js';
import type { LoginTarget } from '../login/login.service.js';
import { PersonSignIn } from '../sign-in/person-sign-in.service.js';
import { SignInRefusedError } from '../sign-in/sign-in.errors.js';
import {
  ExternalSignInFailedError,
  oidcFailurePage,
  refusalPage,
} from './sign-in-failure.js';

/** A sign-in the provider vouched for and the bridge accepted: the session is the caller's to start. */
export interface CompletedOidcSignIn {
  readonly providerId: string;
  readonly user: BridgeUser;
  readonly target: LoginTarget;
  /** What to keep with the new session (SessionService.create calls it with the session's id). */
  readonly providerSession: (sessionId: string) => ProviderSession;
}

/**
 * An OpenID Connect sign-in from the button to the bridge user: the relying party's flow
 * (identity/oidc), then the sign-in decision (PersonSignIn: found by provider and `sub`, created
 * just in time, linked by verified e-mail only where OIDC_LINK_BY_EMAIL allows, never by user
 * name; disabled users refused). Every outcome is logged and announced for the audit trail; every
 * failure becomes ExternalSignInFailedError, which the login page shows.
 */
@Injectable()
export class OidcSignIn {
  private readonly logger = new Logger(OidcSignIn.name);

  constructor(
    @InjectConfig('oidc') private readonly oidc: OidcConfig,
    private readonly login: OidcLoginService,
    private readonly discovery: OidcDiscovery,
    private readonly people: PersonSignIn,
    private readonly sealer: IdTokenSealer,
    private readonly events: EventEmitter2,
  ) {}

  /** A configured provider by id (the default one's is `default`). */
  provider(id: string): OidcProviderConfig | undefined {
    return this.oidc.providers.find((p) => p.id === id);
  }

  async begin(
    providerId: string,
    target: LoginTarget,
    client: LoginClient,
  ): Promise<BeginLoginResult> {
    try {
      return await this.login.begin({ providerId, ...target });
    } catch (error) {
      throw this.failed(providerId, error, client, undefined, target);
    }
  }

  async finish(
    providerId: string,
    callbackQuery: string,
    browserBinding: string | undefined,
    client: LoginClient,
  ): Promise<CompletedOidcSignIn> {
    let result: OidcLoginResult;
    try {
      result = await this.login.finish({
        providerId,
        callbackQuery,
        browserBinding,
      });
    } catch (error) {
      throw this.failed(providerId, error, client);
    }
    let user: BridgeUser;
    try {
      // Never by user name: preferred_username is neither unique nor stable (OpenID Connect
      // Core 5.7), so a provider's user could take over a local account of that name.
      user = await this.people.resolve(result.person, {
        byUsername: false,
        byEmail: result.linkByEmail,
      });
    } catch (error) {
      throw this.failed(providerId, error, client, result.person.username);
    }
    const keepIdToken = await this.keepsIdToken(providerId);
    const { sub, sid, idToken } = result.providerSession;
    return {
      providerId,
      user,
      target: { next: result.next, popup: result.popup },
      providerSession: (sessionId) => ({
        providerId,
        sub,
        ...(sid === undefined ? {} : { sid }),
        ...(keepIdToken
          ? { idToken: this.sealer.seal(idToken, sessionId) }
          : {}),
      }),
    };
  }

  /** The session started: logged and announced. */
  signedIn(
    done: CompletedOidcSignIn,
    session: Session,
    client: LoginClient,
  ): void {
    this.logger.log(
      `User ${done.user.id} signed in through OpenID provider ${done.providerId} (session ${session.id})`,
    );
    this.events.emit(
      ExternalSignInEvent.eventName,
      new ExternalSignInEvent('oidc', done.providerId, 'succeeded', client, {
        user: { id: done.user.id, username: done.user.username },
      }),
    );
  }

  /**
   * The ID token is kept (sealed) only where a logout will use it: RP-initiated logout on, and
   * the provider offers it. A provider whose metadata cannot be read now keeps none.
   */
  private async keepsIdToken(providerId: string): Promise<boolean> {
    if (!this.provider(providerId)?.logoutAtProvider) {
      return false;
    }
    try {
      const config = await this.discovery.configuration(providerId);
      return Boolean(config.serverMetadata().end_session_endpoint);
    } catch {
      return false;
    }
  }

  /** Logs and announces a failure; a domain failure becomes the login page's error. */
  private failed(
    providerId: string,
    error: unknown,
    client: LoginClient,
    username?: string,
    target?: LoginTarget,
  ): unknown {
    const name = this.provider(providerId)?.name ?? providerId;
    const announce = (reason: string, oauthError?: string): void => {
      this.events.emit(
        ExternalSignInEvent.eventName,
        new ExternalSignInEvent('oidc', providerId, 'failed', client, {
          reason,
          ...(username === undefined ? {} : { username }),
          ...(oauthError === undefined ? {} : { error: oauthError }),
        }),
      );
    };
    if (error instanceof OidcLoginError) {
      const refused = error instanceof OidcProviderRefusedError;
      announce(error.reason, refused ? error.error : undefined);
      const detail =
        refused && error.description ? `: ${error.description}` : '';
      this.logger.warn(
        `OpenID sign-in failed (${error.reason}): ${error.message}${detail}`,
      );
      return new ExternalSignInFailedError(
        oidcFailurePage(error.reason, name),
        error.reason,
        target,
      );
    }
    if (error instanceof SignInRefusedError) {
      announce(error.reason);
      this.logger.warn(
        `OpenID sign-in through ${providerId} refused (${error.reason}): ${error.message}`,
      );
      return new ExternalSignInFailedError(
        refusalPage(error.reason, name, username),
        error.reason,
      );
    }
    announce(
      error instanceof OidcStoreUnavailableError
        ? 'store-unavailable'
        : 'error',
    );
    return error;
  }
}
