import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService } from '../../src/auth/users/index.js';
import type { Env } from '../../src/config/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import {
  freePort,
  launchChromium,
  serveFramingPage,
  type StaticSite,
} from '../support/browser.js';

const PASSWORD = 'correct horse battery staple';

interface Setup {
  readonly bridge: string;
  readonly rocketchat: StaticSite;
  readonly app: TestApp;
  close(): Promise<void>;
}

/**
 * Rocket.Chat's role is played by a page on http://localhost:<p1> that frames the bridge on
 * http://127.0.0.1:<p2> (a different site, so every bridge cookie is third-party there).
 */
async function frameTheBridge(label: string, env: Env): Promise<Setup> {
  const port = await freePort();
  const bridge = `http://127.0.0.1:${port}`;
  const rocketchat = await serveFramingPage(
    () =>
      `<!doctype html><html lang="en"><title>Chat</title>` +
      `<iframe id="login" title="Login" style="width:100%;height:640px;border:0" ` +
      `src="${bridge}/login/?next=/rocketchat/redirect"></iframe></html>`,
  );
  const app = await createTestApp({
    label,
    env: {
      PUBLIC_URL: bridge,
      CORS_ORIGIN_WHITELIST: rocketchat.origin,
      SESSION_COOKIE_SAMESITE: 'none',
      ...env,
    },
  });
  await app.app.get(UserAdminService).create({
    username: 'alice',
    password: PASSWORD,
    displayName: 'Alice Liddell',
  });
  await app.app.listen({ port, host: '127.0.0.1' });
  return {
    bridge,
    rocketchat,
    app,
    close: async () => {
      await app.close();
      await rocketchat.close();
    },
  };
}

function loginFrame(page: Page): Frame {
  const frame = page.frame({ url: /\/login/ }) ?? page.frames()[1];
  if (!frame) {
    throw new Error('the login frame did not load');
  }
  return frame;
}

/** Keyboard only, as a user without a mouse would: Tab into the frame, type, Tab, type, Enter. */
async function typeCredentials(
  page: Page,
  frame: Frame,
  password: string,
): Promise<void> {
  await page.keyboard.press('Tab');
  expect(await frame.evaluate(() => document.activeElement?.id)).toBe(
    'username',
  );
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('alice');
  await page.keyboard.press('Tab');
  expect(await frame.evaluate(() => document.activeElement?.id)).toBe(
    'password',
  );
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}

describe('the login page in a cross-site iframe (Chromium)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser.close());

  it('should log in with the keyboard alone, keeping a partitioned session cookie', async () => {
    const setup = await frameTheBridge('browser_partitioned', {});
    const context = await browser.newContext({ locale: 'en-GB' });
    try {
      const page = await context.newPage();
      await page.goto(setup.rocketchat.origin);
      const frame = loginFrame(page);
      await frame.waitForSelector('#username');
      expect(await frame.getAttribute('html', 'lang')).toBe('en');

      // A wrong password first: the error is announced (role="alert") and the fields marked.
      await typeCredentials(page, frame, 'not the password');
      await frame.waitForSelector('[role="alert"]');
      expect(await frame.textContent('[role="alert"]')).toContain(
        'The username or password is incorrect.',
      );
      expect(await frame.getAttribute('#password', 'aria-invalid')).toBe(
        'true',
      );
      expect(await frame.inputValue('#username')).toBe('alice');

      await page.locator('body').focus();
      await typeCredentials(page, frame, PASSWORD);
      await frame.waitForURL(`${setup.bridge}/rocketchat/redirect`);

      // The session cookie came back: the login page now goes straight on.
      await frame.goto(`${setup.bridge}/login/?next=/elsewhere`);
      expect(frame.url()).toBe(`${setup.bridge}/elsewhere`);
      const cookies = await context.cookies(setup.bridge);
      expect(cookies.map((c) => c.name)).toContain('__Host-rcbridge_session');
    } finally {
      await context.close();
      await setup.close();
    }
  });

  it('should show the cookies-blocked page, not a loop, when the cookie is not partitioned, and log in in a window', async () => {
    const setup = await frameTheBridge('browser_blocked', {
      SESSION_COOKIE_PARTITIONED: 'false',
    });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(setup.rocketchat.origin);
      const frame = loginFrame(page);
      await frame.waitForSelector('#username');
      await frame.fill('#username', 'alice');
      await frame.fill('#password', PASSWORD);
      await frame.click('button[type="submit"]');
      await frame.waitForSelector('#open-login-window');
      expect(await frame.textContent('h1')).toContain(
        'Your browser blocked this login',
      );

      const [popup] = await Promise.all([
        page.waitForEvent('popup'),
        frame.click('#open-login-window'),
      ]);
      await popup.waitForSelector('#username');
      expect(popup.url()).toBe(`${setup.bridge}/login?popup=1`);
      await popup.fill('#username', 'alice');
      await popup.fill('#password', PASSWORD);
      await popup.click('button[type="submit"]');
      // Top-level, the cookie is first-party: the login completes, flagged as a popup, with an
      // opener for the post-login page to hand over to Rocket.Chat.
      await popup.waitForURL(`${setup.bridge}/rocketchat/redirect?popup=1`);
      expect(await popup.evaluate(() => window.opener !== null)).toBe(true);
    } finally {
      await context.close();
      await setup.close();
    }
  });

  it('should not render inside a page of an origin that is not allowed to frame it', async () => {
    const setup = await frameTheBridge('browser_evil', {});
    const evil = await serveFramingPage(
      () =>
        `<!doctype html><iframe id="login" src="${setup.bridge}/login/"></iframe>`,
    );
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(evil.origin);
      await page.waitForTimeout(500);
      const frame = page.frames()[1];
      expect(await frame.$('#username')).toBeNull();
    } finally {
      await context.close();
      await evil.close();
      await setup.close();
    }
  });
});
