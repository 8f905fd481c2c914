import type { Page } from 'playwright-core';
import type { Env } from '../../src/config/index.js';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { UserIdentitiesRepository } from '../../src/users/index.js';
import {
  TestOidcProvider,
  type TestAccount,
} from '../support/oidc-provider.js';
import {
  STATE_TIMEOUT,
  startBrowserSetup,
  type BrowserSetup,
  type SiteKind,
} from './rocketchat-setup.js';

const SECRET = 'browser-oidc-client-secret-2b3c4d5e6f';

/** The emulated Rocket.Chat, the bridge, and a real OpenID provider the bridge signs people in with. */
export interface OidcBrowserSetup extends BrowserSetup {
  readonly provider: TestOidcProvider;
  /** The Rocket.Chat user id of the bridge user the provider's `sub` became. */
  rcUserOf(sub: string): Promise<string>;
}

export async function startOidcBrowserSetup(
  kind: SiteKind,
  accounts: readonly TestAccount[],
  env: Env = {},
): Promise<OidcBrowserSetup> {
  const provider = await TestOidcProvider.start({ clients: [], accounts });
  let setup: BrowserSetup;
  try {
    setup = await startBrowserSetup(kind, {
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: 'bridge-browser',
      OIDC_CLIENT_SECRET: SECRET,
      OIDC_NAME: 'Staff ID',
      ...env,
    });
  } catch (error) {
    await provider.stop();
    throw error;
  }
  // The bridge's port is known now: register its URIs (the provider restarts with them).
  await provider.setClients([
    {
      client_id: 'bridge-browser',
      client_secret: SECRET,
      redirect_uris: [`${setup.bridge}/login/oidc/callback`],
      post_logout_redirect_uris: [`${setup.bridge}/login/`],
      backchannel_logout_uri: `${setup.bridge}/login/oidc/backchannel-logout`,
      backchannel_logout_session_required: true,
    },
  ]);
  return {
    ...setup,
    provider,
    async rcUserOf(sub) {
      const user = await setup.app.app
        .get(UserIdentitiesRepository)
        .findByExternal('oidc:default', sub);
      if (!user) {
        return '';
      }
      const link = await setup.app.app.get(UserLinksRepository).find(user.id);
      return link?.rcUserId ?? '';
    },
    async close() {
      await setup.close();
      await provider.stop();
    },
  };
}

/**
 * A person at the provider's own pages (test/support/oidc-interactions.ts) in `page`: names the
 * account, allows what is asked, until the provider sends the browser back.
 */
export async function signInAtProvider(
  page: Page,
  provider: TestOidcProvider,
  account: string,
): Promise<void> {
  const origin = new URL(provider.issuer).origin;
  await page.waitForURL((url) => url.origin === origin, {
    timeout: STATE_TIMEOUT,
  });
  for (let step = 0; step < 4; step += 1) {
    const button = page.locator('button[name="login"], button[name="confirm"]');
    await button.waitFor({ timeout: STATE_TIMEOUT });
    if ((await button.getAttribute('name')) === 'login') {
      await page.fill('input[name="account"]', account);
    }
    await Promise.all([page.waitForEvent('framenavigated'), button.click()]);
    if (page.isClosed() || new URL(page.url()).origin !== origin) {
      return;
    }
  }
  throw new Error('still at the provider after four steps');
}
