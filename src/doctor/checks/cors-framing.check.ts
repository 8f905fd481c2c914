import type { AppConfig, RocketChatConfig } from '../../config/index.js';
import { fail, ok, warn, type CheckResult } from '../doctor-check.js';
import { sameSite } from '../site.js';

const TIMEOUT_MS = 5000;
export const API_PATH = '/rocketchat/api';
export const LOGIN_PATH = '/login/?next=/rocketchat/redirect';

/** What Rocket.Chat's page sends: used to read the bridge's answers as a browser would. */
interface LiveAnswer {
  readonly status: number;
  readonly headers: Headers;
}

/**
 * CORS on the API URL and framing of the login page, first as configured, then as the bridge
 * (through whatever proxy is in front of it) really answers at PUBLIC_URL: proxies that add
 * `X-Frame-Options` or strip `Access-Control-*` are the usual cause of "the iframe stays blank".
 */
export async function corsFramingChecks(
  app: AppConfig,
  rocketchat: RocketChatConfig,
  options: { siteUrl?: string; apiMethod?: string } = {},
): Promise<CheckResult[]> {
  const origin = rocketchat.origin;
  const allowed = new Set(rocketchat.allowedOrigins);
  const extraOrigins = siteUrlOrigin(options.siteUrl, allowed);
  if (!allowed.has(origin)) {
    const line = fail(
      'cors',
      'CORS',
      `CORS_ORIGIN_WHITELIST does not contain Rocket.Chat's origin ${origin}`,
      `add ${origin} to CORS_ORIGIN_WHITELIST (or leave the variable unset: it then defaults to ROCKETCHAT_URL's origin)`,
    );
    return [line, { ...line, id: 'framing', title: 'Framing' }];
  }
  if (extraOrigins) {
    return [
      fail(
        'cors',
        'CORS',
        `Rocket.Chat's Site_Url is ${extraOrigins}, which is not in CORS_ORIGIN_WHITELIST: its page's calls to the API URL will be refused`,
        `set ROCKETCHAT_URL to Rocket.Chat's Site_Url (${extraOrigins}), or add that origin to CORS_ORIGIN_WHITELIST`,
      ),
      await framingCheck(app, origin),
    ];
  }
  const fetchSite = sameSite(app.publicUrl, rocketchat.url)
    ? 'same-site'
    : 'cross-site';
  return [
    await corsCheck(app, origin, options.apiMethod ?? 'POST', fetchSite),
    await framingCheck(app, origin),
  ];
}

async function corsCheck(
  app: AppConfig,
  origin: string,
  method: string,
  fetchSite: string,
): Promise<CheckResult> {
  const url = `${app.publicUrl}${API_PATH}`;
  let preflight: LiveAnswer;
  let call: LiveAnswer;
  try {
    preflight = await request(url, 'OPTIONS', {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'content-type',
      'sec-fetch-mode': 'cors',
      'sec-fetch-site': fetchSite,
    });
    call = await request(url, method, {
      origin,
      'sec-fetch-mode': 'cors',
      'sec-fetch-site': fetchSite,
    });
  } catch (error) {
    return unreachable('cors', 'CORS', url, error);
  }
  const problems: string[] = [];
  if (preflight.status >= 300) {
    problems.push(`the preflight (OPTIONS) answered ${preflight.status}`);
  }
  for (const [what, answer] of [
    ['the preflight', preflight],
    [`a ${method} without session`, call],
  ] as const) {
    const allowOrigin = answer.headers.get('access-control-allow-origin');
    if (allowOrigin !== origin) {
      problems.push(
        `${what} carries Access-Control-Allow-Origin ${allowOrigin === null ? '(none)' : JSON.stringify(allowOrigin)} instead of ${origin}`,
      );
    }
    if (answer.headers.get('access-control-allow-credentials') !== 'true') {
      problems.push(`${what} lacks Access-Control-Allow-Credentials: true`);
    }
  }
  if (call.status !== 401) {
    problems.push(
      `a ${method} without session answered ${call.status} instead of 401`,
    );
  }
  if (problems.length > 0) {
    return fail(
      'cors',
      'CORS',
      `the API URL ${url}: ${problems.join('; ')}`,
      "make the reverse proxy pass the bridge's Access-Control-* headers unchanged and add none of its own; check that PUBLIC_URL reaches this bridge",
    );
  }
  return ok(
    'cors',
    'CORS',
    `the API URL answers ${origin} with credentials (preflight ${preflight.status}, ${call.status} without session)`,
  );
}

async function framingCheck(
  app: AppConfig,
  origin: string,
): Promise<CheckResult> {
  const url = `${app.publicUrl}${LOGIN_PATH}`;
  let page: LiveAnswer;
  try {
    page = await request(url, 'GET', { 'sec-fetch-dest': 'iframe' });
  } catch (error) {
    return unreachable('framing', 'Framing', url, error);
  }
  const problems: string[] = [];
  if (page.status !== 200) {
    problems.push(`answered ${page.status}`);
  }
  const type = page.headers.get('content-type') ?? '';
  if (!type.startsWith('text/html')) {
    problems.push(`is served as ${type || 'no content type'}, not text/html`);
  }
  const xfo = page.headers.get('x-frame-options');
  if (xfo !== null) {
    problems.push(
      `carries X-Frame-Options: ${xfo}, which forbids Rocket.Chat's frame`,
    );
  }
  const ancestors = frameAncestors(page.headers.get('content-security-policy'));
  if (!ancestors?.includes(origin)) {
    problems.push(
      `allows framing by ${ancestors ? ancestors.join(' ') || '(nobody)' : '(no frame-ancestors)'}, not ${origin}`,
    );
  }
  if (problems.length > 0) {
    return fail(
      'framing',
      'Framing',
      `the login page ${url} ${problems.join('; ')}`,
      'remove X-Frame-Options and Content-Security-Policy from the reverse proxy for the bridge (it sends its own), and check PUBLIC_URL',
    );
  }
  return ok(
    'framing',
    'Framing',
    `the login page may be framed by ${origin} (Content-Security-Policy frame-ancestors, no X-Frame-Options)`,
  );
}

function unreachable(
  id: string,
  title: string,
  url: string,
  error: unknown,
): CheckResult {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  const reason =
    typeof code === 'string'
      ? code
      : error instanceof Error
        ? error.name
        : 'error';
  return warn(
    id,
    title,
    `not checked live: ${url} could not be reached from here (${reason})`,
    'run the doctor where PUBLIC_URL resolves to the running bridge (e.g. on the proxy host), or check the proxy',
  );
}

async function request(
  url: string,
  method: string,
  headers: Record<string, string>,
): Promise<LiveAnswer> {
  const response = await fetch(url, {
    method,
    headers,
    redirect: 'manual',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await response.arrayBuffer();
  return { status: response.status, headers: response.headers };
}

/** The sources of `frame-ancestors` (undefined when the policy has no such directive). */
export function frameAncestors(csp: string | null): string[] | undefined {
  for (const directive of (csp ?? '').split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name?.toLowerCase() === 'frame-ancestors') {
      return sources;
    }
  }
  return undefined;
}

/** Rocket.Chat's Site_Url origin when it is valid and not allowed, else undefined. */
function siteUrlOrigin(
  siteUrl: string | undefined,
  allowed: ReadonlySet<string>,
): string | undefined {
  if (!siteUrl) {
    return undefined;
  }
  try {
    const origin = new URL(siteUrl).origin;
    return allowed.has(origin) ? undefined : origin;
  } catch {
    return undefined;
  }
}
