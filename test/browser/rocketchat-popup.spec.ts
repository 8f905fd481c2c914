import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { launchChromium } from '../support/browser.js';
import {
  bridgeUser,
  loggedInUser,
  logInThroughFrame,
  loginFrame,
  openRocketChat,
  PASSWORD,
  STATE_TIMEOUT,
  startBrowserSetup,
  waitForState,
  type BrowserSetup,
} from './rocketchat-setup.js';

describe('Rocket.Chat iframe login when the browser keeps no cookie in the frame (Chromium)', () => {
  let browser: Browser;
  let setup: BrowserSetup;

  beforeAll(async () => {
    browser = await launchChromium();
    // Cross-site without partitioned cookies: Chromium drops every cookie of the frame.
    setup = await startBrowserSetup('cross-site', {
      SESSION_COOKIE_PARTITIONED: 'false',
    });
  });

  afterAll(async () => {
    await setup?.close();
    await browser?.close();
  });

  it('should log Rocket.Chat in from a separate login window through its opener', async () => {
    const user = await bridgeUser(setup);
    const context = await browser.newContext({ locale: 'en-GB' });
    try {
      const page = await openRocketChat(context, setup);
      await waitForState(page, 'iframe');
      await logInThroughFrame(page, user.username);
      const frame = loginFrame(page);
      await frame
        .locator('#open-login-window')
        .waitFor({ timeout: STATE_TIMEOUT });
      const [popup] = await Promise.all([
        page.waitForEvent('popup'),
        frame.locator('#open-login-window').click(),
      ]);
      await popup.locator('#username').fill(user.username);
      await popup.locator('#password').fill(PASSWORD);
      const closed = popup.waitForEvent('close', { timeout: STATE_TIMEOUT });
      await popup.locator('button[type="submit"]').click();
      // The post-login page posts to window.opener.parent (Rocket.Chat) and closes itself.
      await closed;
      await waitForState(page, 'logged-in');
      const link = await setup.app.app.get(UserLinksRepository).find(user.id);
      expect(await loggedInUser(page)).toBe(link?.rcUserId);
    } finally {
      await context.close();
    }
  });
});
