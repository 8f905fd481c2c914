import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import { createTestApp } from '../support/app.js';
import {
  freePort,
  launchChromium,
  serveFramingPage,
} from '../support/browser.js';

const PASSWORD = 'correct horse battery staple';

/**
 * The page CSP (nonce'd inline style and scripts, nothing else inline) in a real browser: the
 * login page inside Rocket.Chat's cross-site frame renders with its branding and reports no
 * violation, also after a failed login re-renders it.
 */
describe('the page CSP in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser.close());

  it('should render the framed login page with its nonce style and without any CSP violation', async () => {
    const port = await freePort();
    const bridge = `http://127.0.0.1:${port}`;
    const rocketchat = await serveFramingPage(
      () =>
        `<!doctype html><html lang="en"><title>Chat</title>` +
        `<iframe id="login" title="Login" src="${bridge}/login"></iframe></html>`,
    );
    const app = await createTestApp({
      label: 'csp_chromium',
      env: {
        PUBLIC_URL: bridge,
        CORS_ORIGIN_WHITELIST: rocketchat.origin,
        SESSION_COOKIE_SAMESITE: 'none',
        BRAND_PRIMARY_COLOR: '#aa0011',
      },
    });
    await app.app
      .get(UserAdminService)
      .create({ username: 'alice', password: PASSWORD });
    await app.app.listen({ port, host: '127.0.0.1' });
    const context = await browser.newContext();
    // In every frame, before its own scripts: remember each CSP violation.
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (event) => {
        seen.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    const console: string[] = [];
    try {
      const page = await context.newPage();
      page.on('console', (message) => console.push(message.text()));
      await page.goto(rocketchat.origin);
      const frame = page.frames().find((f) => f.url().startsWith(bridge));
      expect(frame).toBeDefined();
      await frame!.waitForSelector('#username');
      const colour = () =>
        frame!.evaluate(
          () =>
            getComputedStyle(document.querySelector('button[type="submit"]')!)
              .backgroundColor,
        );
      expect(await colour()).toBe('rgb(170, 0, 17)');

      await frame!.fill('#username', 'alice');
      await frame!.fill('#password', 'not the password');
      await frame!.click('button[type="submit"]');
      await frame!.waitForSelector('[role="alert"]');
      expect(await colour()).toBe('rgb(170, 0, 17)');

      const violations = await frame!.evaluate(
        () => (window as unknown as { cspViolations: string[] }).cspViolations,
      );
      expect(violations).toEqual([]);
      expect(
        console.filter((line) =>
          /Content Security Policy|Refused to/i.test(line),
        ),
      ).toEqual([]);
    } finally {
      await context.close();
      await app.close();
      await rocketchat.close();
    }
  });
});
