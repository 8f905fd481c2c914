import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  MOBILE_WEBVIEW_USER_AGENTS,
  type MobilePlatform,
} from '../rc-emulator/page/mobile-app.js';
import { STATE_TIMEOUT, type BrowserSetup } from './rocketchat-setup.js';

export interface AppLaunch {
  readonly context: BrowserContext;
  readonly page: Page;
  /** The jar's cookies as the launch began, before the page (and its login frame) loaded. */
  readonly cookiesAtLaunch: readonly unknown[];
  /** The app closes its login WebView: the incognito cookie jar is gone with it. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  readonly platform?: MobilePlatform;
  /** The app's version (4.65.0 and later send `User-Agent: RC Mobile` natively). */
  readonly appVersion?: string;
  /** The WebView's user agent; the app's fixed one by default. */
  readonly userAgent?: string;
}

/**
 * One launch of the mobile app's login WebView (4.64.0 and later): incognito, so a fresh Chromium
 * context (an empty cookie jar) each time, with the WebView's user agent, showing the server in
 * the emulator's mobile mode (the injected script and the app reacting to it, page/mobile-app.ts).
 */
export async function launchMobileApp(
  browser: Browser,
  setup: BrowserSetup,
  options: LaunchOptions = {},
): Promise<AppLaunch> {
  const platform = options.platform ?? 'android';
  const context = await browser.newContext({
    userAgent: options.userAgent ?? MOBILE_WEBVIEW_USER_AGENTS[platform],
    locale: 'en-GB',
    viewport: { width: 390, height: 844 },
  });
  const page = await context.newPage();
  const cookiesAtLaunch = await context.cookies();
  const query = new URLSearchParams({
    mobile: '1',
    appPlatform: platform,
    appVersion: options.appVersion ?? '4.65.0',
    // The app waits 3 s before it logs in; the tests need not.
    appDelayMs: '50',
  });
  await page.goto(`${setup.rc.url}/?${query.toString()}`);
  return { context, page, cookiesAtLaunch, close: () => context.close() };
}

/** Waits for the emulated app's own state (`idle|logging-in|logged-in|failed`). */
export function waitForApp(page: Page, state: string): Promise<unknown> {
  return page.waitForSelector(`body[data-app-state="${state}"]`, {
    timeout: STATE_TIMEOUT,
    state: 'attached',
  });
}

/** The messages the injected script wrote into the hash, in order. */
export function hashMessages(page: Page): Promise<Record<string, string>[]> {
  return page.evaluate(
    () =>
      (
        window as unknown as {
          __rc: { mobileMessages: Record<string, string>[] };
        }
      ).__rc.mobileMessages,
  );
}
