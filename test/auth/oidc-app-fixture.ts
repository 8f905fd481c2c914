import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import type { ClientMetadata } from 'oidc-provider';
import type { Env } from '../../src/config/index.js';
import type { CreatedUser, RocketChatEmulator } from '../rc-emulator/index.js';
import { startHarness } from '../rocketchat/harness.js';
import { BrowserLikeClient } from '../support/browser-like-client.js';
import { freePort } from '../support/browser.js';
import {
  TestOidcProvider,
  type TestAccount,
} from '../support/oidc-provider.js';
import { ProviderUserAgent } from '../support/oidc-user-agent.js';

export const CLIENT_SECRET = 'bridge-app-client-secret-8e7d6c5b4a';

/** The bridge as a relying party of a real provider, with an emulated Rocket.Chat behind it. */
export interface OidcApp {
  readonly app: NestFastifyApplication;
  readonly rc: RocketChatEmulator;
  readonly admin: CreatedUser;
  readonly provider: TestOidcProvider;
  /** PUBLIC_URL: the bridge listens there (the provider posts back-channel logouts to it). */
  readonly publicUrl: string;
  close(): Promise<void>;
}

/** The bridge's clients at the provider: `default` (OIDC_*) and `second` (OIDC_SECOND_*). */
export function appClients(publicUrl: string): ClientMetadata[] {
  const common = {
    client_secret: CLIENT_SECRET,
    post_logout_redirect_uris: [`${publicUrl}/login/`],
    backchannel_logout_uri: `${publicUrl}/login/oidc/backchannel-logout`,
    backchannel_logout_session_required: true,
  };
  return [
    {
      ...common,
      client_id: 'bridge-app',
      redirect_uris: [`${publicUrl}/login/oidc/callback`],
    },
    {
      ...common,
      client_id: 'bridge-app-second',
      redirect_uris: [`${publicUrl}/login/oidc/second/callback`],
    },
  ];
}

export function appEnv(provider: TestOidcProvider): Env {
  return {
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: 'bridge-app',
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_NAME: 'Staff ID',
    OIDC_PROVIDERS: 'second',
    OIDC_SECOND_ISSUER: provider.issuer,
    OIDC_SECOND_CLIENT_ID: 'bridge-app-second',
    OIDC_SECOND_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_SECOND_NAME: 'Partner ID',
    OIDC_TIMEOUT: '1s',
    // Revocations (a back-channel logout's) reach the emulator within the test's patience.
    ROCKETCHAT_REVOCATION_INTERVAL: '200ms',
  };
}

export async function startOidcApp(options: {
  label: string;
  accounts: readonly TestAccount[];
  env?: Env;
}): Promise<OidcApp> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const provider = await TestOidcProvider.start({
    clients: appClients(publicUrl),
    accounts: options.accounts,
  });
  try {
    const harness = await startHarness({
      label: options.label,
      env: { PUBLIC_URL: publicUrl, ...appEnv(provider), ...options.env },
    });
    try {
      await harness.app.listen({ port, host: '127.0.0.1' });
    } catch (error) {
      await harness.close();
      throw error;
    }
    return {
      app: harness.app,
      rc: harness.rc,
      admin: harness.admin,
      provider,
      publicUrl,
      async close() {
        await harness.close();
        await provider.stop();
      },
    };
  } catch (error) {
    await provider.stop();
    throw error;
  }
}

/** Where the bridge sent the browser: a path on the bridge, or an absolute URL elsewhere. */
export function location(answer: LightMyRequestResponse): string {
  return answer.headers.location ?? '';
}

/** A person's browser: the bridge (app.inject with a cookie jar) and the provider (real HTTP). */
export class OidcBrowser {
  readonly bridge: BrowserLikeClient;
  readonly provider: ProviderUserAgent;

  constructor(t: OidcApp, headers: Record<string, string> = {}) {
    this.bridge = new BrowserLikeClient(t.app, headers);
    this.provider = new ProviderUserAgent(new URL(t.provider.issuer).origin);
  }

  /** GET the start route; the answer is the redirect to the provider (or a failure page). */
  start(path = '/login/oidc'): Promise<LightMyRequestResponse> {
    return this.bridge.get(path);
  }

  /**
   * At the provider: signs in as `account` (or cancels) and returns the callback the provider
   * sends the browser to, as a path on the bridge with its query.
   */
  async atProvider(
    authorizationUrl: string,
    account: string,
    options: { cancel?: { description?: string } } = {},
  ): Promise<string> {
    const callback = await this.provider.signIn(authorizationUrl, {
      account,
      ...(options.cancel ? { cancel: options.cancel } : {}),
    });
    return `${callback.pathname}${callback.search}`;
  }

  /** The whole sign-in; the answer is the callback's (303 on to `next`, or a failure page). */
  async signIn(
    account: string,
    path = '/login/oidc',
  ): Promise<LightMyRequestResponse> {
    const started = await this.start(path);
    if (started.statusCode !== 303) {
      throw new Error(`the start answered ${started.statusCode}`);
    }
    return this.bridge.get(await this.atProvider(location(started), account));
  }
}
