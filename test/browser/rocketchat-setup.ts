import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { UserAdminService } from '../../src/users/index.js';
import type { Env } from '../../src/config/index.js';
import type { CreatedUser, RocketChatEmulator } from '../rc-emulator/index.js';
import { startTestEmulator } from '../rc-emulator/test-helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { freePort } from '../support/browser.js';

export const PASSWORD = 'correct horse battery staple';
const CREATE_TOKEN_SECRET = 'browser-create-token-secret-7d1e';
/** How long a browser state may take to show up. */
export const STATE_TIMEOUT = 10_000;

/**
 * `same-site`: Rocket.Chat on http://localhost:A, the bridge on http://localhost:B (one site: the
 * recommended deployment, first-party cookies). `cross-site`: the bridge on http://127.0.0.1:B,
 * so its cookies are third-party in Rocket.Chat's frame and must be `SameSite=None; Partitioned`.
 */
export type SiteKind = 'same-site' | 'cross-site';

export interface BrowserSetup {
  readonly kind: SiteKind;
  readonly rc: RocketChatEmulator;
  readonly admin: CreatedUser;
  readonly bridge: string;
  readonly app: TestApp;
  close(): Promise<void>;
}

/** The emulated Rocket.Chat (iframe login pointed at the bridge) and the bridge on a real port. */
export async function startBrowserSetup(
  kind: SiteKind,
  env: Env = {},
): Promise<BrowserSetup> {
  const rc = await startTestEmulator({
    host: 'localhost',
    env: {
      CREATE_TOKENS_FOR_USERS: 'true',
      CREATE_TOKENS_FOR_USERS_SECRET: CREATE_TOKEN_SECRET,
    },
    pagePollMs: 200,
    // A test run revokes more tokens a minute from one IP than Rocket.Chat's default of 10.
    rateLimit: { calls: 1000 },
  });
  const admin = await rc.control.createAdmin();
  const port = await freePort();
  const bridge = `http://${kind === 'same-site' ? 'localhost' : '127.0.0.1'}:${port}`;
  let app: TestApp | undefined;
  try {
    app = await createTestApp({
      label: `browser_${kind.replace('-', '_')}`,
      env: {
        PUBLIC_URL: bridge,
        ROCKETCHAT_URL: rc.url,
        ROCKETCHAT_USER_ID: admin.userId,
        ROCKETCHAT_AUTH_TOKEN: admin.pat,
        CREATE_TOKENS_FOR_USERS_SECRET: CREATE_TOKEN_SECRET,
        ROCKETCHAT_REVOCATION_INTERVAL: '200ms',
        // Some tests make Rocket.Chat fail on purpose; the breaker must not carry that over.
        ROCKETCHAT_BREAKER_FAILURES: '1000',
        ...(kind === 'cross-site' ? { SESSION_COOKIE_SAMESITE: 'none' } : {}),
        ...env,
      },
    });
    await app.app.listen({ port, host: '127.0.0.1' });
  } catch (error) {
    await app?.close();
    await rc.close();
    throw error;
  }
  rc.control.configureIframe({
    iframeUrl: `${bridge}/login/?next=/rocketchat/redirect`,
    apiUrl: `${bridge}/rocketchat/api`,
  });
  const started = app;
  return {
    kind,
    rc,
    admin,
    bridge,
    app: started,
    async close() {
      await started.close();
      await rc.close();
    },
  };
}

let counter = 0;

/** A new bridge user (each test its own, so tokens and sessions never mix). */
export async function bridgeUser(
  setup: BrowserSetup,
): Promise<{ id: string; username: string }> {
  counter += 1;
  const username = `walker${counter}`;
  const user = await setup.app.app.get(UserAdminService).create({
    username,
    password: PASSWORD,
    displayName: `Walker ${counter}`,
    email: `${username}@example.org`,
  });
  return { id: user.id, username };
}

/** Rocket.Chat's web client, of one generation (`?mobile=1` for the React Native app's mode). */
export async function openRocketChat(
  context: BrowserContext,
  setup: BrowserSetup,
  query: Record<string, string> = {},
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${setup.rc.url}/?${new URLSearchParams(query).toString()}`);
  return page;
}

export function waitForState(page: Page, state: string): Promise<unknown> {
  return page.waitForSelector(`body[data-state="${state}"]`, {
    timeout: STATE_TIMEOUT,
    state: 'attached',
  });
}

export function loginFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe[title="Login"]');
}

/** Types the credentials into the bridge's login page inside Rocket.Chat's iframe. */
export async function logInThroughFrame(
  page: Page,
  username: string,
): Promise<void> {
  const frame = loginFrame(page);
  await frame.locator('#username').fill(username, { timeout: STATE_TIMEOUT });
  await frame.locator('#password').fill(PASSWORD);
  await frame.locator('button[type="submit"]').click();
}

/** The Rocket.Chat user id the page is logged in as. */
export function loggedInUser(page: Page): Promise<string | null> {
  return page.getAttribute('body', 'data-user-id');
}

/** Names of the page's recorded events (`window.__rc.events`), in order. */
export function pageEvents(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (
      window as unknown as {
        __rc: { events: { type?: string; name?: string }[] };
      }
    ).__rc.events.map((e) => e.type ?? e.name ?? ''),
  );
}
