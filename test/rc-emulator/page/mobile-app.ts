import type { EmulatorCore } from '../core/context.js';
import { ddpLogin } from '../routes/ddp.js';

/**
 * Rocket.Chat's React Native app around its login WebView (protocol doc §9, §13), as read in
 * RocketChat/Rocket.Chat.ReactNative:
 *
 * - `app/views/AuthenticationWebView.tsx` @c172d3d2: the WebView is `incognito` (since 4.64.0,
 *   PR #6578 "Stop saving cookies on AuthenticationWebView"; @735d5b21 before it had no such
 *   prop), so every launch starts with an empty cookie jar: in the browser tests each launch is a
 *   fresh Chromium context. It loads the server with a fixed phone-browser user agent
 *   (`app/lib/constants/userAgent.ts` @29ec149d). The injected script writes every object message
 *   the top window receives into `location.hash` as JSON; on a navigation whose URL contains
 *   the server and `event|loginToken|token`, the app parses the hash: `login-with-token` logs in
 *   with `resume: token || loginToken` after a 3 s debounce (trailing); `try-iframe-login` calls
 *   `tryLogin`, debounced 3 s on the leading edge.
 * - `tryLogin` fetches `Accounts_Iframe_api_url` with `{method: Accounts_Iframe_api_method}` and
 *   nothing else, then `response.json()` and `data?.login || data?.loginToken` as resume token
 *   (a rejected `json()` is not caught: nothing happens). Since 4.65.0 (PR #6664) the fetch is the
 *   app's helper (`app/lib/methods/helpers/fetch.ts` @1d7ce92e), which adds the SDK's headers:
 *   `User-Agent: RC Mobile; <os> <version>; v<app> (<build>)` (`defaultHeaders.ts` @c0642704);
 *   before, React Native's own fetch with its own user agent. Native, not the WebView: no `Origin`,
 *   no WebView cookie on iOS (on Android React Native's cookie handler forwards to the WebView
 *   CookieManager, react-native `ForwardingCookieHandler`; the emulator sends none, like iOS).
 */
export const MOBILE_WEBVIEW_USER_AGENTS = {
  ios: 'Mozilla/5.0 (iPhone; CPU iPhone OS 15_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.5 Mobile/15E148 Safari/604.1',
  android:
    'Mozilla/5.0 (Linux; Android 12; SM-A315G) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.114 Mobile Safari/537.36',
} as const;

export type MobilePlatform = keyof typeof MOBILE_WEBVIEW_USER_AGENTS;

/** The user agent of the app's own requests for an app version (`4.65.0` and later: RC Mobile). */
export function nativeUserAgent(
  platform: MobilePlatform,
  appVersion: string,
): string {
  const [major = 0, minor = 0] = appVersion.split('.').map(Number);
  if (major > 4 || (major === 4 && minor >= 65)) {
    return platform === 'ios'
      ? `RC Mobile; ios 17.5; v${appVersion} (999999)`
      : `RC Mobile; android 14; v${appVersion} (999999)`;
  }
  // React Native's own fetch (OkHttp on Android, CFNetwork on iOS).
  return platform === 'ios'
    ? 'RocketChatRN/999999 CFNetwork/1496.0.7 Darwin/23.5.0'
    : 'okhttp/4.9.2';
}

/** What the emulated app saw of its own API-URL request, and whether it logged in with it. */
export interface NativeTryLogin {
  readonly userAgent: string;
  readonly status: number | 'error';
  readonly contentType: string | null;
  /** `response.json()` failed (an empty 401, say): the app stops there. */
  readonly jsonError: boolean;
  readonly resume: boolean;
  readonly loggedInUserId?: string;
  readonly loginError?: string;
}

/** The app's `tryLogin`: the native API-URL request, then a resume login with its answer. */
export async function nativeTryLogin(
  core: EmulatorCore,
  options: { platform?: MobilePlatform; appVersion?: string } = {},
): Promise<NativeTryLogin> {
  const userAgent = nativeUserAgent(
    options.platform ?? 'android',
    options.appVersion ?? '4.65.0',
  );
  const url = core.state.text('Accounts_Iframe_api_url');
  const method = core.state.text('Accounts_Iframe_api_method') || 'POST';
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { 'user-agent': userAgent },
      redirect: 'follow',
    });
  } catch {
    return {
      userAgent,
      status: 'error',
      contentType: null,
      jsonError: true,
      resume: false,
    };
  }
  const base = {
    userAgent,
    status: response.status,
    contentType: response.headers.get('content-type'),
  };
  let data: unknown;
  try {
    data = await response.json();
  } catch {
    return { ...base, jsonError: true, resume: false };
  }
  const answer =
    data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  const resume = answer.login || answer.loginToken;
  if (!resume) {
    return { ...base, jsonError: false, resume: false };
  }
  const login = await ddpLogin(core, { resume });
  return 'result' in login
    ? {
        ...base,
        jsonError: false,
        resume: true,
        loggedInUserId: String((login.result as { id: unknown }).id),
      }
    : {
        ...base,
        jsonError: false,
        resume: true,
        loginError: String(login.error.message),
      };
}
