import type { IncomingHttpHeaders } from 'node:http';

/**
 * What the bridge can tell about Rocket.Chat's apps from a request's headers (read in
 * RocketChat/Rocket.Chat.ReactNative; the emulator's mobile mode cites the files and commits):
 *
 * - The app's own API-URL request (`tryLogin` in `app/views/AuthenticationWebView.tsx`, made on a
 *   `try-iframe-login` message only) goes through the app's fetch helper, which since 4.65.0
 *   (PR #6664) sends `User-Agent: RC Mobile; <os> <version>; v<app version> (<build>)`. It is a
 *   native request: no `Origin`, and none of the login WebView's cookies on iOS (the WebView is
 *   incognito since 4.64.0, PR #6578).
 * - The login WebView itself always presents one of two fixed phone-browser user agents
 *   (`app/lib/constants/userAgent.ts`), whatever the device.
 */

const NATIVE_USER_AGENT_PREFIX = 'RC Mobile';

/** The login WebView's user agents (iOS, Android), byte for byte. */
export const MOBILE_APP_WEBVIEW_USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 15_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 12; SM-A315G) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.114 Mobile Safari/537.36',
];

/** Devices the Rocket.Chat app runs on; iPadOS Safari presents itself as a Mac and is not seen. */
const APP_DEVICE = /\b(?:Android|iPhone|iPad|iPod)\b/;

function userAgent(headers: IncomingHttpHeaders): string {
  const value = headers['user-agent'];
  return typeof value === 'string' ? value : '';
}

/** The mobile app's own (native) request, 4.65.0 and later. */
export function isMobileAppNativeRequest(
  headers: IncomingHttpHeaders,
): boolean {
  return userAgent(headers).startsWith(NATIVE_USER_AGENT_PREFIX);
}

/** A page loaded in the mobile app's login WebView (or a browser claiming its exact user agent). */
export function isMobileAppWebView(headers: IncomingHttpHeaders): boolean {
  return MOBILE_APP_WEBVIEW_USER_AGENTS.includes(userAgent(headers));
}

/**
 * A phone or tablet, where "Open in the Rocket.Chat app" makes sense: Chromium's
 * `Sec-CH-UA-Mobile: ?1`, or a user agent naming Android, iPhone, iPad or iPod. The hint only
 * adds (Chrome on an Android tablet says `?0`); the app's own WebView is not offered the app.
 */
export function isAppDevice(headers: IncomingHttpHeaders): boolean {
  if (isMobileAppWebView(headers)) {
    return false;
  }
  return (
    headers['sec-ch-ua-mobile'] === '?1' || APP_DEVICE.test(userAgent(headers))
  );
}

/**
 * `rocketchat://auth?host=…&token=…&userId=…`, as both apps read it: the mobile app
 * (`parseDeepLinking` in `app/index.tsx`, `app/sagas/deepLinking.ts`) logs in with `token` as a
 * resume token and takes `host` with or without a scheme (it adds `https://` and turns `http://`
 * into `https://`); the desktop app (`src/deepLinks/main.ts`) needs all three and opens
 * `<host>/home?resumeToken=…&userId=…`. Form-encoded, so no value contains `&`, `=` or `+`.
 */
export function appDeepLink(
  host: string,
  token: string,
  userId: string,
): string {
  return `rocketchat://auth?${new URLSearchParams({ host, token, userId }).toString()}`;
}
