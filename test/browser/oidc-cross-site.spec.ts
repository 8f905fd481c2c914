import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

const NINA: TestAccount = {
  sub: 'nina-cross-site',
  claims: { preferred_username: 'nina', name: 'Nina Cross' },
};

/**
 * The cross-site deployment (the bridge's cookies partitioned in Rocket.Chat's frame): the login
 * window is first-party, so the sign-in there and its hand-over through the opener work the same;
 * a window closed before the end makes the frame load the login page again.
 */
describe('OpenID sign-in from the login frame, cross-site (Chromium, real provider)', () => {
  let browser: Browser;
  let setup: OidcBrowserSetup;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchChromium();
    setup = await startOidcBrowserSetup('cross-site', [NINA]);
  });
  afterAll(async () => {
    await setup?.close();
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
  });

  it('should reload the frame when the login window closes unfinished, then sign in through a new one', async () => {
    context = await browser.newContext({ locale: 'en-GB' });
    const page = await openRocketChat(context, setup, { generation: 'modern' });
    await waitForState(page, 'iframe');
    const frame = loginFrame(page);
    const button = frame.locator('#sso-default');
    await button.waitFor({ timeout: STATE_TIMEOUT });
    const [abandoned] = await Promise.all([
      page.waitForEvent('popup'),
      button.click(),
    ]);
    await frame
      .locator('#sso-waiting')
      .waitFor({ state: 'visible', timeout: STATE_TIMEOUT });
    // The person closes the window at the provider: the frame notices and loads the page again.
    const reloaded = page.waitForRequest(
      (r) =>
        r.url().startsWith(`${setup.bridge}/login`) &&
        r.frame() !== page.mainFrame(),
      { timeout: STATE_TIMEOUT },
    );
    await abandoned.close();
    await reloaded;
    await frame
      .locator('#sso-waiting')
      .waitFor({ state: 'hidden', timeout: STATE_TIMEOUT });

    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      frame.locator('#sso-default').click(),
    ]);
    const closed = popup.waitForEvent('close', { timeout: STATE_TIMEOUT });
    await signInAtProvider(popup, setup.provider, NINA.sub);
    await closed;
    await waitForState(page, 'logged-in');
    expect(await loggedInUser(page)).toBe(await setup.rcUserOf(NINA.sub));
  });
});
