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
import { SessionService } from '../../src/session/index.js';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { launchChromium } from '../support/browser.js';
import {
  bridgeUser,
  loggedInUser,
  logInThroughFrame,
  loginFrame,
  openRocketChat,
  pageEvents,
  STATE_TIMEOUT,
  startBrowserSetup,
  waitForState,
  type BrowserSetup,
  type SiteKind,
} from './rocketchat-setup.js';

const GENERATIONS = ['meteor', 'react', 'modern'] as const;

/**
 * Rocket.Chat's web client (the emulator's page, three generations) with the bridge as its
 * Iframe URL and API URL, in one real Chromium per file. Everything a person sees is waited for
 * through page state (`body[data-state]`), never a fixed pause.
 */
export function defineRocketChatBrowserSuite(kind: SiteKind): void {
  describe(`Rocket.Chat iframe login, ${kind} (Chromium)`, () => {
    let browser: Browser;
    let setup: BrowserSetup;
    let context: BrowserContext;

    beforeAll(async () => {
      browser = await launchChromium();
      setup = await startBrowserSetup(kind);
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
      setup.rc.control.clearFaults();
    });

    /**
     * A bridge session that has not handed out a token yet (the post-login page failed once):
     * Rocket.Chat's next API URL call is the session's first.
     */
    async function sessionWithoutToken(username: string): Promise<void> {
      const page = await openRocketChat(context, setup);
      await waitForState(page, 'iframe');
      setup.rc.control.injectFault({
        route: 'users.createToken',
        action: { type: 'status', status: 500 },
        times: 1,
      });
      await logInThroughFrame(page, username);
      await loginFrame(page)
        .locator('text=The chat is not reachable')
        .waitFor({ timeout: STATE_TIMEOUT });
      await page.close();
    }

    async function rcUserOf(bridgeUserId: string): Promise<string> {
      const link = await setup.app.app
        .get(UserLinksRepository)
        .find(bridgeUserId);
      return link?.rcUserId ?? '';
    }

    describe.each(GENERATIONS)('client generation %s', (generation) => {
      it('should show the login iframe when logged out, and log the page in from it', async () => {
        const user = await bridgeUser(setup);
        const page = await openRocketChat(context, setup, { generation });
        await waitForState(page, 'iframe');
        expect(await page.getAttribute('body', 'data-last-api-status')).toBe(
          '401',
        );
        await logInThroughFrame(page, user.username);
        await waitForState(page, 'logged-in');
        expect(await loggedInUser(page)).toBe(await rcUserOf(user.id));
        const session = (await context.cookies(setup.bridge)).find(
          (c) => c.name === '__Host-rcbridge_session',
        );
        expect(session?.sameSite).toBe(kind === 'cross-site' ? 'None' : 'Lax');
        expect(
          await setup.rc.control.tokenCount(await rcUserOf(user.id), 'resume'),
        ).toBe(1);
      });

      it('should log the page in through the API URL when the bridge session has not handed out a token', async () => {
        const user = await bridgeUser(setup);
        await sessionWithoutToken(user.username);
        const page = await openRocketChat(context, setup, { generation });
        await waitForState(page, 'logged-in');
        expect(await page.getAttribute('body', 'data-last-api-status')).toBe(
          '200',
        );
        expect(await loggedInUser(page)).toBe(await rcUserOf(user.id));
      });

      it('should show the login iframe when the API URL fails', async () => {
        const user = await bridgeUser(setup);
        await sessionWithoutToken(user.username);
        setup.rc.control.injectFault({
          route: 'users.createToken',
          action: { type: 'status', status: 500 },
        });
        const page = await openRocketChat(context, setup, { generation });
        await waitForState(page, 'iframe');
        expect(await page.getAttribute('body', 'data-last-api-status')).toBe(
          '503',
        );
        expect(
          (await page.getAttribute('body', 'data-unhandled-rejections')) ?? '0',
        ).toBe('0');
      });
    });

    it('should show the iframe for a token Rocket.Chat refuses, then log in with a fresh one after "Continue as"', async () => {
      const user = await bridgeUser(setup);
      await sessionWithoutToken(user.username);
      const rcUserId = await rcUserOf(user.id);
      // The API URL hands out a token and Rocket.Chat loses it at once (an admin revoked it).
      const page = await context.newPage();
      page.on('response', (response) => {
        if (
          response.url().endsWith('/rocketchat/api') &&
          response.status() === 200
        ) {
          void response
            .json()
            .then((body: { loginToken: string }) =>
              setup.rc.control.revokeToken(rcUserId, body.loginToken),
            );
        }
      });
      await context.route('**/_ddp/login', async (route) => {
        // Let the revocation land before Rocket.Chat tries the token.
        await new Promise((resolve) => setTimeout(resolve, 100));
        await route.continue();
      });
      await page.goto(`${setup.rc.url}/`);
      await page.waitForFunction(
        () => document.body.getAttribute('data-last-login-error') !== null,
        undefined,
        { timeout: STATE_TIMEOUT },
      );
      await waitForState(page, 'iframe');
      // The frame shows the login page to a session that handed a token out: it asks first, and
      // "Continue as" replaces the token.
      await loginFrame(page)
        .locator('form[action="/login/continue"] button')
        .click({ timeout: STATE_TIMEOUT });
      await waitForState(page, 'logged-in');
      expect(await loggedInUser(page)).toBe(rcUserId);
      expect(await pageEvents(page)).toContain('iframe-shown');
      expect(await setup.rc.control.tokenCount(rcUserId, 'resume')).toBe(1);
    });

    /** Logs a new user in through the frame while Rocket.Chat refuses the token with `reason`. */
    async function loginErrorInFrame(
      reason: string,
    ): Promise<{ page: Page; token: string }> {
      const user = await bridgeUser(setup);
      const page = await openRocketChat(context, setup);
      await waitForState(page, 'iframe');
      setup.rc.control.injectFault({
        route: 'ddp/login',
        action: {
          type: 'status',
          status: 200,
          body: {
            error: {
              error: 403,
              reason,
              message: `${reason} [403]`,
              errorType: 'Meteor.Error',
            },
          },
        },
        times: 1,
      });
      await logInThroughFrame(page, user.username);
      await loginFrame(page)
        .locator('#rc-handoff-error')
        .waitFor({ state: 'visible', timeout: STATE_TIMEOUT });
      const token = await loginFrame(page)
        .locator('#rc-handoff-data')
        .evaluate(
          (data) =>
            (
              JSON.parse(data.textContent ?? '{}') as {
                message: { loginToken: string };
              }
            ).message.loginToken,
        );
      return { page, token };
    }

    it("should show Rocket.Chat's login-error inside the iframe, report it, and ask before a fresh token", async () => {
      const { page, token: refused } = await loginErrorInFrame(
        "You've been logged out by the server. Please log in again.",
      );
      expect(
        await loginFrame(page)
          .locator('#rc-handoff-error-detail')
          .textContent(),
      ).toBe(
        "You've been logged out by the server. Please log in again. [403]",
      );
      expect(await page.getAttribute('body', 'data-state')).toBe('iframe');
      // The page reported the refusal: the bridge revoked that token (here Rocket.Chat had it).
      await expect
        .poll(async () => (await setup.rc.control.checkToken(refused)).valid)
        .toBe(false);
      // "Try again" goes to the login page, which asks first; "Continue as" gets a fresh token.
      await loginFrame(page).locator('#rc-handoff-error a.button').click();
      await loginFrame(page)
        .locator('form[action="/login/continue"] button')
        .click({ timeout: STATE_TIMEOUT });
      await waitForState(page, 'logged-in');
      const fresh = await page.evaluate(() =>
        localStorage.getItem('Meteor.loginToken'),
      );
      expect(fresh).not.toBe(refused);
      expect(await setup.rc.control.checkToken(fresh ?? '')).toMatchObject({
        valid: true,
      });
    });

    it('should ignore a login-error from any other origin, and show one from Rocket.Chat as text only', async () => {
      const { page } = await loginErrorInFrame('Refused.');
      const detail = loginFrame(page).locator('#rc-handoff-error-detail');
      const handoff = page
        .frames()
        .find((frame) => frame.url().includes('/rocketchat/redirect'));
      if (!handoff) {
        throw new Error('the post-login page is not in the frame');
      }
      // A message event as another window would deliver it (the browser sets `origin`).
      const deliver = (origin: string, response: string) =>
        handoff.evaluate(
          ([from, text]) =>
            window.dispatchEvent(
              new MessageEvent('message', {
                origin: from,
                data: { event: 'login-error', response: text },
              }),
            ),
          [origin, response],
        );
      const rocketChat = new URL(setup.rc.url).origin;
      await deliver('https://evil.example', 'forged');
      await deliver(`${rocketChat}.evil.example`, 'look-alike');
      await deliver('null', 'sandboxed');
      expect(await detail.textContent()).toBe('Refused. [403]');
      const html = '<img src="x" onerror="document.title=\'pwned\'">';
      await deliver(rocketChat, html);
      expect(await detail.textContent()).toBe(html);
      expect(await detail.locator('img').count()).toBe(0);
    });

    it('should end the Rocket.Chat session when the bridge session ends', async () => {
      const user = await bridgeUser(setup);
      const page = await openRocketChat(context, setup);
      await waitForState(page, 'iframe');
      await logInThroughFrame(page, user.username);
      await waitForState(page, 'logged-in');
      expect(
        await setup.app.app
          .get(SessionService)
          .destroyAllForUser(user.id, 'logout'),
      ).toBe(1);
      // The revoked token logs the page out; the API URL then finds no session: the login form.
      await waitForState(page, 'iframe');
      await loginFrame(page)
        .locator('#password')
        .waitFor({ timeout: STATE_TIMEOUT });
      expect(
        await setup.rc.control.tokenCount(await rcUserOf(user.id), 'resume'),
      ).toBe(0);
    });

    it('should end the bridge session as well with the Custom_Script_On_Logout snippet', async () => {
      setup.rc.control.setSettings({
        Custom_Script_On_Logout: `fetch('${setup.bridge}/rocketchat/logout', { method: 'POST', credentials: 'include', keepalive: true }).catch(function () {});`,
      });
      try {
        const user = await bridgeUser(setup);
        const page = await openRocketChat(context, setup);
        await waitForState(page, 'iframe');
        await logInThroughFrame(page, user.username);
        await waitForState(page, 'logged-in');
        const ended = page.waitForResponse(
          (r) =>
            r.url() === `${setup.bridge}/rocketchat/logout` &&
            r.status() === 204,
        );
        await page.click('#logout');
        expect((await ended).headers()['access-control-allow-origin']).toBe(
          setup.rc.origin,
        );
        await waitForState(page, 'iframe');
        // The bridge session is gone: a reload shows the login form, not "Continue as".
        await page.reload();
        await waitForState(page, 'iframe');
        await loginFrame(page)
          .locator('#password')
          .waitFor({ timeout: STATE_TIMEOUT });
      } finally {
        setup.rc.control.setSettings({ Custom_Script_On_Logout: '' });
      }
    });

    it("should give the mobile app's injected script a loginToken in the page's hash", async () => {
      const user = await bridgeUser(setup);
      const page = await openRocketChat(context, setup, { mobile: '1' });
      await waitForState(page, 'iframe');
      await logInThroughFrame(page, user.username);
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
      expect(
        await setup.rc.control.checkToken(message.loginToken),
      ).toMatchObject({
        valid: true,
        userId: await rcUserOf(user.id),
      });
    });
  });
}
