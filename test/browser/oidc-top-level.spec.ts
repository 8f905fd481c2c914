import type { Browser, BrowserContext } from 'playwright-core';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from 'vitest';
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

const ACCOUNTS: TestAccount[] = ['top', 'blocked', 'desk'].map((name) => ({
  sub: `${name}-person`,
  claims: { preferred_username: `${name}person`, name: `${name} person` },
}));

/**
 * The same sign-in top level (a plain redirect to the provider and back, then on to Rocket.Chat,
 * which asks the API URL), and where the frame cannot open a login window: a browser that blocks
 * it, and the desktop app (whose windows open in the system browser). Same site, as recommended.
 */
describe('OpenID sign-in top level, and when no login window opens (Chromium, real provider)', () => {
  let browser: Browser;
  let setup: OidcBrowserSetup;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchChromium({ popupBlocker: true });
    setup = await startOidcBrowserSetup('same-site', ACCOUNTS);
  });
  afterAll(async () => {
    await setup?.close();
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
  });

  describe('in a browser', () => {
    beforeEach(async () => {
      context = await browser.newContext({ locale: 'en-GB' });
    });

    it('should sign in top level with a plain redirect, then open Rocket.Chat logged in', async () => {
      const page = await context.newPage();
      await page.goto(`${setup.bridge}/login/?next=/rocketchat/redirect`);
      expect(
        await page.locator('#sso-default').getAttribute('target'),
      ).toBeNull();
      await page.click('#sso-default');
      await signInAtProvider(page, setup.provider, ACCOUNTS[0].sub);
      // The post-login page sends the browser to Rocket.Chat, whose client asks the API URL.
      await page.waitForURL((url) => url.origin === setup.rc.origin, {
        timeout: STATE_TIMEOUT,
      });
      await waitForState(page, 'logged-in');
      expect(await loggedInUser(page)).toBe(
        await setup.rcUserOf(ACCOUNTS[0].sub),
      );
    });

    it('should say so when the browser blocks the login window, and sign in in the whole tab instead', async () => {
      const page = await openRocketChat(context, setup, {
        generation: 'modern',
      });
      await waitForState(page, 'iframe');
      const button = loginFrame(page).locator('#sso-default');
      await button.waitFor({ timeout: STATE_TIMEOUT });
      // A click without user activation (Playwright's calls carry one, which expires after 5 s):
      // Chromium's pop-up blocker refuses the window, as pop-up blockers do.
      let opened = false;
      page.on('popup', () => {
        opened = true;
      });
      await button.evaluate((link: HTMLElement) => {
        setTimeout(() => link.click(), 5500);
      });
      // Nothing may touch the frame meanwhile (Playwright's calls would renew the activation).
      await page.waitForTimeout(6500);
      const blocked = loginFrame(page).locator('#sso-blocked');
      await blocked.waitFor({ state: 'visible', timeout: STATE_TIMEOUT });
      expect(opened).toBe(false);
      expect(await blocked.textContent()).toContain(
        'Your browser did not open the sign-in window',
      );
      const onward = loginFrame(page).locator('#sso-continue');
      expect(await onward.textContent()).toBe(
        'Sign in with Staff ID in this window',
      );
      expect(await onward.getAttribute('target')).toBe('_top');
      await onward.click();
      await signInAtProvider(page, setup.provider, ACCOUNTS[1].sub);
      await page.waitForURL((url) => url.origin === setup.rc.origin, {
        timeout: STATE_TIMEOUT,
      });
      await waitForState(page, 'logged-in');
      expect(await loggedInUser(page)).toBe(
        await setup.rcUserOf(ACCOUNTS[1].sub),
      );
    });
  });

  describe('in the desktop app', () => {
    beforeEach(async () => {
      // Rocket.Chat's client adds client=electron to the Iframe URL in the desktop app.
      context = await browser.newContext({
        locale: 'en-GB',
        userAgent:
          'Mozilla/5.0 (X11; Linux x86_64) Rocket.Chat/4.5.0 Electron/37.2.0',
      });
    });

    it('should sign in in the whole tab, with no login window, and come back to Rocket.Chat', async () => {
      const page = await openRocketChat(context, setup, {
        generation: 'modern',
      });
      await waitForState(page, 'iframe');
      expect(
        page.frames().some((f) => f.url().includes('client=electron')),
      ).toBe(true);
      const button = loginFrame(page).locator('#sso-default');
      expect(await button.getAttribute('target')).toBe('_top');
      let opened = false;
      page.on('popup', () => {
        opened = true;
      });
      await button.click();
      await signInAtProvider(page, setup.provider, ACCOUNTS[2].sub);
      await page.waitForURL((url) => url.origin === setup.rc.origin, {
        timeout: STATE_TIMEOUT,
      });
      await waitForState(page, 'logged-in');
      expect(opened).toBe(false);
      expect(await loggedInUser(page)).toBe(
        await setup.rcUserOf(ACCOUNTS[2].sub),
      );
    });
  });
});
