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
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { launchChromium } from '../support/browser.js';
import { fakeClock } from '../support/fake-clock.js';
import {
  bridgeUser,
  loggedInUser,
  logInThroughFrame,
  loginFrame,
  openRocketChat,
  STATE_TIMEOUT,
  startBrowserSetup,
  waitForState,
  type BrowserSetup,
  type SiteKind,
} from './rocketchat-setup.js';

const GENERATIONS = ['meteor', 'react', 'modern'] as const;
type Generation = (typeof GENERATIONS)[number];

/** API URL calls of one page load with a stored token: only the Meteor client skips it. */
function callsPerLoad(generation: Generation): string {
  return generation === 'meteor' ? '0' : '1';
}

/**
 * Staying signed in (issue 11): Rocket.Chat's React clients ask the API URL on every page load,
 * token or not, and the bridge must not read that as a lost token. Each generation: reloads at
 * once, minutes later and 20 times, a second tab, and a logout in Rocket.Chat (#28006).
 */
export function defineLifecycleBrowserSuite(kind: SiteKind): void {
  describe(`Staying signed in across reloads, ${kind} (Chromium)`, () => {
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
    });

    async function rcUserOf(bridgeUserId: string): Promise<string> {
      const link = await setup.app.app
        .get(UserLinksRepository)
        .find(bridgeUserId);
      return link?.rcUserId ?? '';
    }

    function storedToken(page: Page): Promise<string | null> {
      return page.evaluate(() => localStorage.getItem('Meteor.loginToken'));
    }

    async function signIn(
      generation: Generation,
    ): Promise<{ page: Page; rcUserId: string; token: string }> {
      const user = await bridgeUser(setup);
      const page = await openRocketChat(context, setup, { generation });
      await waitForState(page, 'iframe');
      await logInThroughFrame(page, user.username);
      await waitForState(page, 'logged-in');
      return {
        page,
        rcUserId: await rcUserOf(user.id),
        token: (await storedToken(page)) ?? '',
      };
    }

    /**
     * The page is logged in with `token`, the API URL call of its load (if any, and `loaded` with
     * a stored token) answered 200, and two of its token checks since then found the token alive
     * (a revoked one logs the page out).
     */
    async function staysLoggedIn(
      page: Page,
      generation: Generation,
      token: string,
      loaded = true,
    ): Promise<void> {
      await waitForState(page, 'logged-in');
      if (loaded && generation !== 'meteor') {
        await page.waitForSelector('body[data-last-api-status="200"]', {
          timeout: STATE_TIMEOUT,
          state: 'attached',
        });
      }
      for (let i = 0; i < 2; i += 1) {
        await page.waitForResponse((r) => r.url().endsWith('/_ddp/check'), {
          timeout: STATE_TIMEOUT,
        });
      }
      expect(await page.getAttribute('body', 'data-state')).toBe('logged-in');
      expect(await storedToken(page)).toBe(token);
      expect(await setup.rc.control.checkToken(token)).toMatchObject({
        valid: true,
      });
    }

    describe.each(GENERATIONS)('client generation %s', (generation) => {
      it('should stay signed in on a reload right after sign-in', async () => {
        const { page, rcUserId, token } = await signIn(generation);
        await page.reload();
        await staysLoggedIn(page, generation, token);
        expect(await page.getAttribute('body', 'data-api-calls')).toBe(
          callsPerLoad(generation),
        );
        expect(await setup.rc.control.tokenCount(rcUserId, 'resume')).toBe(1);
      });

      it('should stay signed in on a reload minutes later', async () => {
        const { page, rcUserId, token } = await signIn(generation);
        // The bridge judges time by its Clock: ten minutes pass for it.
        const clock = fakeClock();
        clock.advance(10 * 60_000);
        await page.reload();
        await staysLoggedIn(page, generation, token);
        clock.advance(50 * 60_000);
        await page.reload();
        await staysLoggedIn(page, generation, token);
        expect(await setup.rc.control.tokenCount(rcUserId, 'resume')).toBe(1);
      });

      it('should keep both tabs signed in when Rocket.Chat is opened in a second tab', async () => {
        const { page, rcUserId, token } = await signIn(generation);
        const second = await openRocketChat(context, setup, { generation });
        await staysLoggedIn(second, generation, token);
        expect(await second.getAttribute('body', 'data-api-calls')).toBe(
          callsPerLoad(generation),
        );
        expect(await loggedInUser(second)).toBe(rcUserId);
        // The first tab, signed in through the frame, keeps its (same) token.
        await staysLoggedIn(page, generation, token, false);
        expect(await setup.rc.control.tokenCount(rcUserId, 'resume')).toBe(1);
      });

      it('should create no Rocket.Chat token over 20 reloads', async () => {
        const { page, rcUserId, token } = await signIn(generation);
        expect(await setup.rc.control.tokenCount(rcUserId, 'resume')).toBe(1);
        for (let i = 0; i < 20; i += 1) {
          await page.reload();
          await waitForState(page, 'logged-in');
          if (generation !== 'meteor') {
            await page.waitForSelector('body[data-last-api-status="200"]', {
              timeout: STATE_TIMEOUT,
              state: 'attached',
            });
          }
          expect(await page.getAttribute('body', 'data-api-calls')).toBe(
            callsPerLoad(generation),
          );
          expect(await setup.rc.control.tokenCount(rcUserId, 'resume')).toBe(1);
        }
        await staysLoggedIn(page, generation, token);
      }, 120_000);

      it('should never log straight back in after a Rocket.Chat logout (#28006): "Continue as" gets a fresh token', async () => {
        const { page, rcUserId, token } = await signIn(generation);
        const apiCalls = Number(
          await page.getAttribute('body', 'data-api-calls'),
        );
        const revocations = setup.rc.control.countCalls('logout');
        await page.click('#logout');
        // Rocket.Chat destroyed its token; the client asks the API URL, gets that token back,
        // Rocket.Chat refuses it and frames the login page, which asks first.
        await waitForState(page, 'iframe');
        const frame = loginFrame(page);
        await frame
          .locator('form[action="/login/continue"]')
          .waitFor({ timeout: STATE_TIMEOUT });
        expect(await frame.locator('h1').textContent()).toContain('Walker');
        await page.waitForFunction(
          (before) =>
            Number(document.body.getAttribute('data-api-calls')) > before &&
            document.body.getAttribute('data-api-pending') === 'false',
          apiCalls,
          { timeout: STATE_TIMEOUT },
        );
        // One API URL call after the logout, no loop, not logged in.
        expect(await page.getAttribute('body', 'data-state')).toBe('iframe');
        expect(Number(await page.getAttribute('body', 'data-api-calls'))).toBe(
          apiCalls + 1,
        );
        expect((await setup.rc.control.checkToken(token)).valid).toBe(false);
        expect(await setup.rc.control.tokenCount(rcUserId, 'resume')).toBe(0);

        await frame.locator('form[action="/login/continue"] button').click();
        await waitForState(page, 'logged-in');
        const fresh = (await storedToken(page)) ?? '';
        expect(fresh).not.toBe(token);
        expect(await loggedInUser(page)).toBe(rcUserId);
        expect(await setup.rc.control.tokenCount(rcUserId, 'resume')).toBe(1);
        // The bridge let go of the old token and revoked it (Rocket.Chat had destroyed it).
        await expect
          .poll(() => setup.rc.control.countCalls('logout') - revocations)
          .toBeGreaterThanOrEqual(1);
        await page.reload();
        await staysLoggedIn(page, generation, fresh);
      });
    });
  });
}
