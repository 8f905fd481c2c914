import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from 'vitest';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { SessionRecord } from '../../src/session/session.schema.js';
import { launchChromium } from '../support/browser.js';
import type { TestAccount } from '../support/oidc-provider.js';
import {
  signInAtProvider,
  startOidcBrowserSetup,
  type OidcBrowserSetup,
} from './oidc-setup.js';
import {
  loggedInUser,
  loginFrame,
  openRocketChat,
  STATE_TIMEOUT,
  waitForState,
} from './rocketchat-setup.js';

const GENERATIONS = ['meteor', 'react', 'modern'] as const;

let accountCounter = 0;
function account(): TestAccount {
  accountCounter += 1;
  return {
    sub: `frame-person-${accountCounter}`,
    claims: {
      preferred_username: `framed${accountCounter}`,
      email: `framed${accountCounter}@example.org`,
      email_verified: true,
      name: `Framed Person ${accountCounter}`,
    },
  };
}
const ACCOUNTS = Array.from({ length: 8 }, account);

/**
 * Inside Rocket.Chat's login frame (the emulator, three client generations and the mobile app's
 * mode), same site: the provider's button opens a login window (providers refuse to be framed),
 * whose post-login page hands the token to Rocket.Chat through its opener.
 */
describe("OpenID sign-in from inside Rocket.Chat's iframe (Chromium, real provider)", () => {
  let browser: Browser;
  let setup: OidcBrowserSetup;
  let context: BrowserContext;
  let next = 0;

  beforeAll(async () => {
    browser = await launchChromium();
    setup = await startOidcBrowserSetup('same-site', ACCOUNTS);
  });
  afterAll(async () => {
    await setup?.close();
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ locale: 'en-GB' });
  });
  afterEach(async () => {
    await context.close();
  });

  function person(): TestAccount {
    return ACCOUNTS[next++];
  }

  /** Clicks the provider's button in the frame and signs in in the window it opens. */
  async function signInThroughPopup(page: Page, sub: string): Promise<void> {
    const button = loginFrame(page).locator('#sso-default');
    await button.waitFor({ timeout: STATE_TIMEOUT });
    const [popup] = await Promise.all([
      page.waitForEvent('popup', { timeout: STATE_TIMEOUT }),
      button.click(),
    ]);
    const closed = popup.waitForEvent('close', { timeout: STATE_TIMEOUT });
    await signInAtProvider(popup, setup.provider, sub);
    // The post-login page posts to window.opener.parent (Rocket.Chat) and closes itself.
    await closed;
  }

  describe.each(GENERATIONS)('client generation %s', (generation) => {
    it('should log Rocket.Chat in through the login window, and give the same account at the next sign-in', async () => {
      const someone = person();
      const page = await openRocketChat(context, setup, { generation });
      await waitForState(page, 'iframe');
      await signInThroughPopup(page, someone.sub);
      await waitForState(page, 'logged-in');
      const rcUserId = await setup.rcUserOf(someone.sub);
      expect(rcUserId).not.toBe('');
      expect(await loggedInUser(page)).toBe(rcUserId);

      // Another browser, the same person: the same Rocket.Chat account.
      const other = await browser.newContext({ locale: 'en-GB' });
      try {
        const again = await openRocketChat(other, setup, { generation });
        await waitForState(again, 'iframe');
        await signInThroughPopup(again, someone.sub);
        await waitForState(again, 'logged-in');
        expect(await loggedInUser(again)).toBe(rcUserId);
      } finally {
        await other.close();
      }
      expect(await setup.rc.control.tokenCount(rcUserId, 'resume')).toBe(2);
    });
  });

  it("should give the mobile app's injected script a loginToken in the page's hash", async () => {
    const someone = person();
    const page = await openRocketChat(context, setup, { mobile: '1' });
    await waitForState(page, 'iframe');
    await signInThroughPopup(page, someone.sub);
    await page.waitForFunction(
      () => location.hash.includes('loginToken'),
      undefined,
      {
        timeout: STATE_TIMEOUT,
      },
    );
    const message = JSON.parse(
      decodeURIComponent(new URL(page.url()).hash.slice(1)),
    ) as { event: string; loginToken: string };
    expect(message.event).toBe('login-with-token');
    expect(await setup.rc.control.checkToken(message.loginToken)).toMatchObject(
      {
        valid: true,
        userId: await setup.rcUserOf(someone.sub),
      },
    );
  });

  it('should log Rocket.Chat out when the provider sends a back-channel logout', async () => {
    const someone = person();
    const page = await openRocketChat(context, setup, { generation: 'modern' });
    await waitForState(page, 'iframe');
    await signInThroughPopup(page, someone.sub);
    await waitForState(page, 'logged-in');
    const token = await page.evaluate(() =>
      localStorage.getItem('Meteor.loginToken'),
    );
    const [session] = await setup.app.app
      .get<Connection>(getConnectionToken())
      .collection<SessionRecord>('bridge_sessions')
      .find({ 'oidc.sub': someone.sub })
      .toArray();
    // The provider's own logout token, posted by the provider to the bridge.
    await setup.provider.backchannelLogout(
      'bridge-browser',
      someone.sub,
      session.oidc!.sid!,
    );
    // The token is revoked: the page loses its login and shows the login frame again, where the
    // API URL finds no session (the login form, not "Continue as").
    await waitForState(page, 'iframe');
    expect((await setup.rc.control.checkToken(token ?? '')).valid).toBe(false);
    await loginFrame(page)
      .locator('#password')
      .waitFor({ timeout: STATE_TIMEOUT });
  });
});
