import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import type { Env } from '../../src/config/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import {
  freePort,
  launchChromium,
  recordingProxy,
  serveFramingPage,
  type RecordedRequest,
  type StaticSite,
} from '../support/browser.js';

const PASSWORD = 'correct horse battery staple';

interface Setup {
  readonly bridge: string;
  readonly rocketchat: StaticSite;
  readonly app: TestApp;
  /** What reached the bridge, with the Cookie header the browser sent. */
  readonly requests: RecordedRequest[];
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
  const appPort = await freePort();
  await app.app.listen({ port: appPort, host: '127.0.0.1' });
  const proxy = await recordingProxy(port, appPort);
  return {
    bridge,
    rocketchat,
    app,
    requests: proxy.requests,
    close: async () => {
      await proxy.close();
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
      // The post-login page belongs to the Rocket.Chat module; what matters here is that the
      // browser follows the redirect from inside the frame with the new session cookie.
      const posted = page.waitForResponse(
        (r) =>
          r.url() === `${setup.bridge}/login` &&
          r.request().method() === 'POST',
      );
      await typeCredentials(page, frame, PASSWORD);
      const login = await posted;
      expect(login.status()).toBe(303);
      expect(await login.headerValue('location')).toBe(
        `${setup.bridge}/rocketchat/redirect`,
      );

      // Partitioned under the framing site, the cookie also comes back on the next visit of the
      // frame (the session is known: framed by the chat, the page asks "Continue as" rather than
      // going straight on) and on the framing page's own credentialed calls.
      const revisit = page.waitForResponse(
        `${setup.bridge}/login/?next=/elsewhere`,
      );
      await page.evaluate((url) => {
        (document.getElementById('login') as HTMLIFrameElement).src = url;
      }, `${setup.bridge}/login/?next=/elsewhere`);
      const response = await revisit;
      expect(response.status()).toBe(200);
      expect(await response.text()).toContain('action="/login/continue"');
      await page.evaluate(async (url) => {
        await fetch(url, { method: 'POST', credentials: 'include' }).catch(
          () => undefined,
        );
      }, `${setup.bridge}/health/live`);
      const seen = (path: string) =>
        setup.requests.find((r) => r.url === path)?.cookie ?? '';
      expect(seen('/rocketchat/redirect')).toMatch(
        /__Host-rcbridge_session=[\w-]{43}/,
      );
      expect(seen('/health/live')).toMatch(/__Host-rcbridge_session=[\w-]{43}/);
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
      expect(await popup.evaluate(() => window.opener !== null)).toBe(true);
      // Top-level, the cookie is first-party: the login completes and goes on to the post-login
      // page, flagged as a popup. (That page hands the token to window.opener.parent and may close
      // the window at once; test/browser covers the hand-over with a live Rocket.Chat.)
      const handOver = popup.waitForRequest(
        `${setup.bridge}/rocketchat/redirect?popup=1`,
      );
      await popup.click('button[type="submit"]');
      await handOver;
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
      const frame = page.frames()[1];
      // Chromium replaces a refused frame with its error page.
      await expect
        .poll(() => frame.url(), { timeout: 10_000 })
        .toBe('chrome-error://chromewebdata/');
      expect(await frame.$('#username')).toBeNull();
    } finally {
      await context.close();
      await evil.close();
      await setup.close();
    }
  });
});
