import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserLinksRepository } from '../../src/rocketchat/provisioning/user-links.repository.js';
import { IPHONE_SAFARI } from '../rocketchat/mobile-app-helpers.js';
import { launchChromium } from '../support/browser.js';
import {
  hashMessages,
  launchMobileApp,
  waitForApp,
} from './mobile-app-launch.js';
import {
  bridgeUser,
  loginFrame,
  logInThroughFrame,
  PASSWORD,
  STATE_TIMEOUT,
  startBrowserSetup,
  waitForState,
  type BrowserSetup,
} from './rocketchat-setup.js';

const SESSION_COOKIE = '__Host-rcbridge_session';
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** axe-core's WCAG 2.2 AA violations of the page as it is (ids and targets). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            context: Document,
            options: unknown,
          ) => Promise<{
            violations: { id: string; nodes: { target: unknown[] }[] }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'],
      },
      resultTypes: ['violations'],
    });
    return result.violations.flatMap((v) =>
      v.nodes.map((n) => `${v.id} at ${JSON.stringify(n.target)}`),
    );
  });
}

function rcUserOf(setup: BrowserSetup, bridgeUserId: string): Promise<string> {
  return setup.app.app
    .get(UserLinksRepository)
    .find(bridgeUserId)
    .then((link) => link?.rcUserId ?? '');
}

/**
 * Rocket.Chat's mobile app (4.64.0 and later) against the bridge, in Chromium: each launch of its
 * incognito login WebView is a fresh browser context; the app itself is the emulator's mobile mode.
 */
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('Rocket.Chat mobile app, same site (Chromium)', () => {
  let setup: BrowserSetup;

  beforeAll(async () => {
    setup = await startBrowserSetup('same-site');
  });

  afterAll(async () => {
    await setup?.close();
  });

  it('should log the app in on every launch, each starting from an empty cookie jar', async () => {
    const user = await bridgeUser(setup);
    const tokens: string[] = [];
    for (const platform of ['android', 'ios'] as const) {
      const launch = await launchMobileApp(browser, setup, { platform });
      try {
        // Checked before the page loads: its login frame sets the login-flow cookie at once.
        expect(launch.cookiesAtLaunch).toEqual([]);
        await waitForState(launch.page, 'iframe');
        // The login form, not "Continue as": nothing of the last launch survived.
        await loginFrame(launch.page)
          .locator('#password')
          .waitFor({ timeout: STATE_TIMEOUT });
        await logInThroughFrame(launch.page, user.username);
        await waitForApp(launch.page, 'logged-in');
        const rcUserId = await rcUserOf(setup, user.id);
        expect(await launch.page.getAttribute('body', 'data-app-user-id')).toBe(
          rcUserId,
        );
        // What the injected script handed the app: login-with-token with a live resume token.
        const posted = (await hashMessages(launch.page)).filter(
          (m) => m.event === 'login-with-token',
        );
        expect(posted).toHaveLength(1);
        expect(Object.keys(posted[0]).sort()).toEqual(['event', 'loginToken']);
        expect(
          await setup.rc.control.checkToken(posted[0].loginToken),
        ).toMatchObject({ valid: true, kind: 'resume', userId: rcUserId });
        tokens.push(posted[0].loginToken);
        // The app never needed its own API-URL request.
        expect(
          await launch.page.getAttribute('body', 'data-app-native-status'),
        ).toBeNull();
        expect(
          (await launch.context.cookies(setup.bridge)).map((c) => c.name),
        ).toContain(SESSION_COOKIE);
      } finally {
        await launch.close();
      }
    }
    // Two launches, two bridge logins, two tokens.
    expect(new Set(tokens).size).toBe(2);
  });

  it.each([
    ['en-GB', 'light'],
    ['de-DE', 'dark'],
  ] as const)(
    'should offer the app link accessibly (%s, %s scheme)',
    async (locale, colorScheme) => {
      const user = await bridgeUser(setup);
      const context = await browser.newContext({
        userAgent: IPHONE_SAFARI,
        locale,
        colorScheme,
      });
      try {
        const page = await context.newPage();
        await page.goto(`${setup.bridge}/login`);
        await page.fill('#username', user.username);
        await page.fill('#password', PASSWORD);
        await page.click('button[type="submit"]');
        await page.locator('#rc-app-link').waitFor({ timeout: STATE_TIMEOUT });
        expect(await page.getAttribute('html', 'lang')).toBe(
          locale.slice(0, 2),
        );
        expect(await axeViolations(page)).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );

  it('should not let the back button bring the app link back after a logout', async () => {
    const user = await bridgeUser(setup);
    const context = await browser.newContext({
      userAgent: IPHONE_SAFARI,
      locale: 'en-GB',
    });
    try {
      const page = await context.newPage();
      await page.goto(`${setup.bridge}/login`);
      await page.fill('#username', user.username);
      await page.fill('#password', PASSWORD);
      await page.click('button[type="submit"]');
      const link = page.locator('#rc-app-link');
      await link.waitFor({ timeout: STATE_TIMEOUT });
      const href = (await link.getAttribute('href')) ?? '';
      expect(href).toMatch(/^rocketchat:\/\/auth\?host=/);
      const token = new URL(href).searchParams.get('token') ?? '';
      expect((await setup.rc.control.checkToken(token)).valid).toBe(true);

      // On to the signed-in page, log out there, then back.
      await page.goto(`${setup.bridge}/`);
      await page.click('form[action="/logout"] button[type="submit"]');
      await page.waitForURL(`${setup.bridge}/logout`);
      // The signed-in page, then the post-login page: both asked again, both without a session.
      await page.goBack();
      await page.goBack();
      await page.waitForLoadState('load');
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await page.locator('#rc-app-link').count()).toBe(0);
      await expect
        .poll(async () => (await setup.rc.control.checkToken(token)).valid, {
          timeout: STATE_TIMEOUT,
        })
        .toBe(false);
    } finally {
      await context.close();
    }
  });
});

describe('Rocket.Chat mobile app, ROCKETCHAT_POST_LOGIN_MESSAGE=try-iframe-login (Chromium)', () => {
  let setup: BrowserSetup;

  beforeAll(async () => {
    setup = await startBrowserSetup('same-site', {
      ROCKETCHAT_POST_LOGIN_MESSAGE: 'try-iframe-login',
    });
  });

  afterAll(async () => {
    await setup?.close();
  });

  it.each([
    ['4.65.0', '401'],
    // Before RC Mobile: React Native's user agent and no Origin, refused by the origin check.
    ['4.64.0', '403'],
  ])(
    "should answer the app's own API-URL request (app %s) %s when its WebView is not recognised",
    async (appVersion, status) => {
      // An app whose WebView presents another user agent: the bridge posts try-iframe-login,
      // the web client in the WebView logs in, the app's own request finds no session.
      const user = await bridgeUser(setup);
      const launch = await launchMobileApp(browser, setup, {
        appVersion,
        userAgent: IPHONE_SAFARI,
      });
      try {
        await waitForState(launch.page, 'iframe');
        await logInThroughFrame(launch.page, user.username);
        await launch.page.waitForSelector(
          `body[data-app-native-status="${status}"]`,
          { timeout: STATE_TIMEOUT, state: 'attached' },
        );
        expect(await launch.page.getAttribute('body', 'data-app-state')).toBe(
          'idle',
        );
        expect((await hashMessages(launch.page)).map((m) => m.event)).toEqual([
          'try-iframe-login',
        ]);
        await waitForState(launch.page, 'logged-in');
      } finally {
        await launch.close();
      }
    },
  );

  it("should post the token to the app's own WebView, which then needs no request of its own", async () => {
    const user = await bridgeUser(setup);
    const launch = await launchMobileApp(browser, setup, { platform: 'ios' });
    try {
      await waitForState(launch.page, 'iframe');
      await logInThroughFrame(launch.page, user.username);
      await waitForApp(launch.page, 'logged-in');
      expect(await launch.page.getAttribute('body', 'data-app-user-id')).toBe(
        await rcUserOf(setup, user.id),
      );
      expect(
        await launch.page.getAttribute('body', 'data-app-native-status'),
      ).toBeNull();
    } finally {
      await launch.close();
    }
  });
});
