/** Hosts that only this machine can reach, where plain http and http `Secure` cookies are tolerated. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; rule: string };

/** An absolute http(s) URL without credentials, query or fragment (a base to build on). */
export function parseBaseUrl(value: string): UrlCheck {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return {
      ok: false,
      rule: 'must be an absolute http(s) URL such as https://chat.example.org',
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, rule: 'must use http or https' };
  }
  if (url.username || url.password) {
    return { ok: false, rule: 'must not contain a user name or password' };
  }
  if (url.search || url.hash || value.includes('?') || value.includes('#')) {
    return { ok: false, rule: 'must not contain a query or fragment' };
  }
  return { ok: true, url };
}

/** `https://chat.example.org/sub/` → `https://chat.example.org/sub` (no trailing slash). */
export function withoutTrailingSlash(url: URL): string {
  return url.href.replace(/\/+$/, '');
}

export type OriginCheck =
  { ok: true; origin: string } | { ok: false; rule: string };

/**
 * One entry of an origin allow-list. Accepts a serialized origin (`https://chat.example.org`,
 * `http://localhost:3000`) or, as django-cors-headers' old README did, a bare `host[:port]`,
 * which takes `defaultScheme`. Refuses wildcards, `null`, paths (even a trailing slash),
 * credentials, queries and fragments: the API URL compares origins byte for byte.
 */
export function normaliseOrigin(
  entry: string,
  defaultScheme: 'http' | 'https',
): OriginCheck {
  const value = entry.trim();
  if (value === '*' || value.includes('*')) {
    return {
      ok: false,
      rule: 'must not contain a wildcard (*): list each Rocket.Chat origin exactly',
    };
  }
  if (value.toLowerCase() === 'null') {
    return {
      ok: false,
      rule: 'must not contain null: it is the origin of sandboxed and local documents',
    };
  }
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  const candidate = hasScheme ? value : `${defaultScheme}://${value}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return {
      ok: false,
      rule: 'must be origins such as https://chat.example.org or host:port',
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, rule: 'must be http or https origins' };
  }
  const rest = candidate.slice(candidate.indexOf('//') + 2);
  if (url.username || url.password || /[/?#@\\]/.test(rest)) {
    return {
      ok: false,
      rule: 'must be bare origins (scheme://host[:port]) without path, trailing slash, query or user info',
    };
  }
  return { ok: true, origin: url.origin };
}
