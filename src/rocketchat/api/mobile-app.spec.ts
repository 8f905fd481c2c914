import { describe, expect, it } from 'vitest';
import {
  appDeepLink,
  isAppDevice,
  isMobileAppNativeRequest,
  isMobileAppWebView,
  MOBILE_APP_WEBVIEW_USER_AGENTS,
} from './mobile-app.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1';
const MAC_SAFARI =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15';
const WINDOWS_CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36';

/**
 * How the mobile app reads the query of a deep link (app/lib/methods/helpers/parseQuery.ts, as
 * described in mobile-app.ts): pairs split on `&`, each on its first `=` only as far as the value
 * goes (a second `=` would cut it), `+` read as a space, then percent-decoded.
 */
function readAsMobileApp(link: string): Record<string, string> {
  const query = link.replace(/^rocketchat:\/\/auth\?/, '');
  const params: Record<string, string> = {};
  for (const pair of query.split('&')) {
    const [key, value] = pair.split('=');
    params[key] = value ? decodeURIComponent(value.replace(/\+/g, ' ')) : '';
  }
  return params;
}

describe('the Rocket.Chat apps, from request headers', () => {
  it("should know the app's own request by its RC Mobile user agent only", () => {
    expect(
      isMobileAppNativeRequest({
        'user-agent': 'RC Mobile; ios 17.5; v4.65.0 (123)',
      }),
    ).toBe(true);
    expect(isMobileAppNativeRequest({ 'user-agent': 'okhttp/4.9.2' })).toBe(
      false,
    );
    expect(isMobileAppNativeRequest({ 'user-agent': `x RC Mobile` })).toBe(
      false,
    );
    expect(isMobileAppNativeRequest({})).toBe(false);
  });

  it("should know the app's login WebView by its exact user agent", () => {
    for (const ua of MOBILE_APP_WEBVIEW_USER_AGENTS) {
      expect(isMobileAppWebView({ 'user-agent': ua })).toBe(true);
      expect(isMobileAppWebView({ 'user-agent': `${ua} ` })).toBe(false);
    }
    expect(isMobileAppWebView({ 'user-agent': IPHONE })).toBe(false);
  });

  it('should see phones and tablets, but not desktops, Macs or the app itself', () => {
    expect(isAppDevice({ 'user-agent': IPHONE })).toBe(true);
    expect(
      isAppDevice({ 'user-agent': WINDOWS_CHROME, 'sec-ch-ua-mobile': '?1' }),
    ).toBe(true);
    expect(
      isAppDevice({
        'user-agent':
          'Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
        'sec-ch-ua-mobile': '?0',
      }),
    ).toBe(true);
    expect(
      isAppDevice({ 'user-agent': WINDOWS_CHROME, 'sec-ch-ua-mobile': '?0' }),
    ).toBe(false);
    expect(isAppDevice({ 'user-agent': MAC_SAFARI })).toBe(false);
    expect(isAppDevice({})).toBe(false);
    for (const ua of MOBILE_APP_WEBVIEW_USER_AGENTS) {
      expect(isAppDevice({ 'user-agent': ua, 'sec-ch-ua-mobile': '?1' })).toBe(
        false,
      );
    }
  });

  it('should build a deep link both apps read back exactly', () => {
    const host = 'https://example.org/chat';
    const token = 'a-B_c9+/=x y&z';
    const link = appDeepLink(host, token, 'u=1&2');
    expect(link.startsWith('rocketchat://auth?host=')).toBe(true);
    expect(readAsMobileApp(link)).toEqual({ host, token, userId: 'u=1&2' });
    // The desktop app: new URL(...).searchParams.
    const url = new URL(link);
    expect(url.protocol).toBe('rocketchat:');
    expect(url.hostname).toBe('auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      host,
      token,
      userId: 'u=1&2',
    });
  });
});
