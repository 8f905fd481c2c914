import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import { SessionService } from '../../src/session/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { freePort, launchChromium } from '../support/browser.js';

const PASSWORD = 'correct horse battery staple';
/** WCAG 2.2 AA, as axe-core tags it: every level-A and -AA rule of 2.0, 2.1 and 2.2. */
const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
/** Failed logins from one address before the form says "too many attempts" (the locked state). */
const ADDRESS_FAILURES = 3;

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * axe-core run in the page as it is (evaluated through the DevTools protocol, so the page's strict
 * CSP stays on): the WCAG 2.2 AA violations, each with the elements and what fails.
 */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            context: Document,
            options: unknown,
          ) => Promise<{ violations: Violation[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target,
        failureSummary: n.failureSummary,
      })),
    }));
  }, WCAG_22_AA);
  return violations.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(n.target)}: ${n.failureSummary ?? ''}`,
    ),
  );
}

describe('accessibility of every page state (axe-core in Chromium, WCAG 2.2 AA)', () => {
  let browser: Browser;
  let t: TestApp;
  let origin: string;

  beforeAll(async () => {
    browser = await launchChromium();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // An OpenID provider that does not answer: every form shows its button, and using it gives
    // the sign-in failure state.
    const deadProvider = await freePort();
    t = await createTestApp({
      label: 'axe',
      env: {
        PUBLIC_URL: origin,
        // Each browser context below is its own client address, so the throttle of one state
        // (locked) does not reach the others.
        TRUST_PROXY: '127.0.0.1',
        LOGIN_IP_MAX_FAILURES: String(ADDRESS_FAILURES),
        // Every run fails as alice; the account lockout would end the later runs' logins.
        LOCKOUT_MAX_FAILURES: '0',
        OIDC_ISSUER: `http://127.0.0.1:${deadProvider}`,
        OIDC_CLIENT_ID: 'axe',
        OIDC_CLIENT_SECRET: 'axe-client-secret-0a1b2c3d4e5f',
        OIDC_NAME: 'Staff ID',
        OIDC_TIMEOUT: '1s',
      },
    });
    await t.app.get(UserAdminService).create({
      username: 'alice',
      password: PASSWORD,
      displayName: 'Alice Liddell',
    });
    await t.app.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('should see the violations it is there to find (the check itself works)', async () => {
    const context = await browser.newContext({ colorScheme: 'dark' });
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/login`);
      await page.evaluate(() => {
        (document.querySelector('.intro') as HTMLElement).style.color =
          '#2a2e33';
        document.querySelector('label[for="password"]')?.remove();
      });
      const violations = await axeViolations(page);
      expect(violations.some((v) => v.startsWith('color-contrast'))).toBe(true);
      expect(violations.some((v) => v.startsWith('label'))).toBe(true);
    } finally {
      await context.close();
    }
  });

  const combinations = (['en', 'de'] as const).flatMap((lang) =>
    (['light', 'dark'] as const).map(
      (scheme, i) =>
        [
          lang,
          scheme,
          `198.51.100.${lang === 'en' ? 10 + i : 20 + i}`,
        ] as const,
    ),
  );

  it.each(combinations)(
    'should find no violations in any state (%s, %s scheme)',
    async (lang, scheme, address) => {
      const context: BrowserContext = await browser.newContext({
        locale: lang === 'en' ? 'en-GB' : 'de-DE',
        colorScheme: scheme,
        extraHTTPHeaders: { 'x-forwarded-for': address },
      });
      const found: Record<string, string[]> = {};
      const check = async (state: string, page: Page): Promise<void> => {
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        expect(
          await page.evaluate(
            () => matchMedia('(prefers-color-scheme: dark)').matches,
          ),
        ).toBe(scheme === 'dark');
        found[state] = await axeViolations(page);
      };
      const submit = async (page: Page, password: string): Promise<void> => {
        await page.fill('#username', 'alice');
        await page.fill('#password', password);
        await Promise.all([
          page.waitForNavigation(),
          page.click('button[type="submit"]'),
        ]);
      };
      try {
        const page = await context.newPage();
        // After the login, `/` (the signed-in page) rather than Rocket.Chat, which is not running.
        await page.goto(`${origin}/login?next=/`);
        expect(await page.locator('#sso-default').count()).toBe(1);
        await check('login form', page);

        // The provider's button, the provider unreachable: the form with the sign-in's message.
        await Promise.all([
          page.waitForNavigation(),
          page.click('#sso-default'),
        ]);
        expect(await page.locator('#error-summary').textContent()).toContain(
          'Staff ID',
        );
        await check('sign-in failure', page);
        await page.goto(`${origin}/login?next=/`);

        await submit(page, 'not the password');
        expect(await page.getAttribute('#password', 'aria-invalid')).toBe(
          'true',
        );
        await check('login error', page);

        await submit(page, PASSWORD);
        expect(new URL(page.url()).pathname).toBe('/');
        expect(await page.locator('#open-rocketchat').count()).toBe(1);
        await check('signed in', page);

        // Rocket.Chat dropped its token (the user logged out there): the page asks.
        const cookie = (await context.cookies(origin))
          .map((c) => `${c.name}=${c.value}`)
          .join('; ');
        const session = await t.app
          .get(SessionService)
          .resolve({ headers: { cookie } } as never);
        await t.app
          .get(SessionService)
          .setInteractionRequired(session!.id, true);
        await page.goto(`${origin}/login`);
        expect(
          await page.locator('form[action="/login/continue"]').count(),
        ).toBe(1);
        await check('continue as', page);

        await Promise.all([
          page.waitForNavigation(),
          page.click('form[action="/logout"] button'),
        ]);
        expect(await page.locator('h1').textContent()).toMatch(
          lang === 'en' ? /logged out/ : /abgemeldet/,
        );
        await check('logged out', page);

        // The login-flow cookie does not come back (as in a cross-site frame that blocks it).
        await page.goto(`${origin}/login`);
        await context.clearCookies();
        await submit(page, PASSWORD);
        expect(await page.locator('#open-login-window').count()).toBe(1);
        await check('cookies blocked', page);

        // A form whose CSRF token was tampered with: the error page.
        await page.goto(`${origin}/login`);
        await page.evaluate(() => {
          (
            document.querySelector('input[name="csrf"]') as HTMLInputElement
          ).value = 'tampered';
        });
        await submit(page, PASSWORD);
        expect(await page.locator('.error-summary').count()).toBe(1);
        await check('error page', page);

        await page.goto(`${origin}/no-such-page`);
        await check('not found', page);

        // Too many failures from this address: the form says so (429).
        await page.goto(`${origin}/login`);
        for (let i = 0; i <= ADDRESS_FAILURES; i++) {
          await submit(page, 'still not the password');
        }
        expect(await page.locator('[role="alert"]').textContent()).toMatch(
          lang === 'en' ? /Too many failed login attempts/ : /Zu viele/,
        );
        await check('locked', page);
      } finally {
        await context.close();
      }
      expect(Object.keys(found)).toHaveLength(10);
      expect(found).toEqual(
        Object.fromEntries(Object.keys(found).map((state) => [state, []])),
      );
    },
    120_000,
  );
});
