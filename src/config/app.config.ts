import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EnvReader } from './env.js';
import { isLoopbackHost, parseBaseUrl, withoutTrailingSlash } from './urls.js';

export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AppConfig {
  readonly nodeEnv: 'production' | 'development' | 'test';
  readonly host: string;
  readonly port: number;
  /** Where browsers reach the bridge, without trailing slash (`https://sso.example.org`). */
  readonly publicUrl: string;
  readonly publicOrigin: string;
  /** The bridge is reached over https, so cookies can be `Secure` everywhere. */
  readonly publicUrlIsHttps: boolean;
  /** The bridge is reached on a loopback host (development). */
  readonly publicUrlIsLoopback: boolean;
  readonly logLevel: LogLevel;
  /** How long a SIGTERM/SIGINT waits for in-flight requests before the process gives up. */
  readonly shutdownTimeoutMs: number;
  readonly views: ViewsConfig;
  readonly brand: BrandConfig;
}

export interface ViewsConfig {
  /**
   * The operator's template directory (absolute), searched before the built-in `views/` file by
   * file: `layouts/`, `partials/`, pages, plus optional `assets/` and `locales/`.
   */
  readonly dir: string | undefined;
  /** Compiled templates are kept in memory; off, every page re-reads its files (template work). */
  readonly cache: boolean;
}

export interface BrandConfig {
  /** Shown in the page header and the window title. */
  readonly title: string;
  /** An https URL or a path on the bridge; unset means the built-in logo. */
  readonly logoUrl: string | undefined;
  /** `#rrggbb` or `#rgb`: buttons, links and focus rings. */
  readonly primaryColor: string;
  readonly backgroundColor: string;
  /** Built-in branding and templates throughout: the start-up log says how to customise. */
  readonly isDefault: boolean;
}

export const DEFAULT_BRAND = {
  title: 'Rocket.Chat',
  primaryColor: '#1d74f5',
  backgroundColor: '#f2f3f5',
} as const;

const COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const COLOR_RULE = 'must be a hex colour such as #1d74f5 or #fff';

export function readAppConfig(r: EnvReader): AppConfig {
  const nodeEnv = r.oneOf(
    'NODE_ENV',
    ['production', 'development', 'test'] as const,
    'production',
  );
  const port = r.int('PORT', { default: 8000, min: 1, max: 65535 });
  const host = r.string('HOST', { default: '0.0.0.0' });

  const rawPublicUrl = r.string('PUBLIC_URL', {
    default: `http://localhost:${port}`,
  });
  const parsed = parseBaseUrl(rawPublicUrl);
  let url = new URL(`http://localhost:${port}`);
  if (parsed.ok) {
    url = parsed.url;
  } else {
    r.fail('PUBLIC_URL', parsed.rule);
  }

  return {
    nodeEnv,
    host,
    port,
    publicUrl: withoutTrailingSlash(url),
    publicOrigin: url.origin,
    publicUrlIsHttps: url.protocol === 'https:',
    publicUrlIsLoopback: isLoopbackHost(url.hostname),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    shutdownTimeoutMs: r.durationMs('SHUTDOWN_TIMEOUT', {
      default: 25_000,
      min: 1000,
      max: 600_000,
    }),
    views: readViews(r),
    brand: readBrand(r),
  };
}

function readViews(r: EnvReader): ViewsConfig {
  const dir = r.string('VIEWS_DIR');
  let absolute: string | undefined;
  if (dir !== undefined) {
    absolute = resolve(dir);
    try {
      if (!statSync(absolute).isDirectory()) {
        r.fail('VIEWS_DIR', 'must name a directory');
      }
    } catch {
      r.fail('VIEWS_DIR', 'must name an existing, readable directory');
    }
  }
  return { dir: absolute, cache: r.bool('VIEWS_CACHE', true) };
}

function readBrand(r: EnvReader): BrandConfig {
  const title = r.string('BRAND_TITLE', {
    default: DEFAULT_BRAND.title,
    maxLength: 100,
  });
  const logoUrl = r.string('BRAND_LOGO_URL', { maxLength: 2048 });
  if (logoUrl !== undefined && !isSafeImageUrl(logoUrl)) {
    r.fail(
      'BRAND_LOGO_URL',
      'must be an https URL (http only for localhost) or a path starting with a single /',
    );
  }
  const primaryColor = r.string('BRAND_PRIMARY_COLOR', {
    default: DEFAULT_BRAND.primaryColor,
    pattern: COLOR,
    patternRule: COLOR_RULE,
  });
  const backgroundColor = r.string('BRAND_BACKGROUND_COLOR', {
    default: DEFAULT_BRAND.backgroundColor,
    pattern: COLOR,
    patternRule: COLOR_RULE,
  });
  const isDefault =
    !r.has('VIEWS_DIR') &&
    logoUrl === undefined &&
    title === DEFAULT_BRAND.title &&
    primaryColor.toLowerCase() === DEFAULT_BRAND.primaryColor &&
    backgroundColor.toLowerCase() === DEFAULT_BRAND.backgroundColor;
  return { title, logoUrl, primaryColor, backgroundColor, isDefault };
}

/** Goes into an `<img src>`: only http(s) (https off localhost) or a same-origin path. */
function isSafeImageUrl(value: string): boolean {
  if (/[\s\\]/.test(value) || hasControlCharacter(value)) {
    return false;
  }
  if (value.startsWith('/')) {
    return !value.startsWith('//');
  }
  try {
    const url = new URL(value);
    return (
      url.protocol === 'https:' ||
      (url.protocol === 'http:' && isLoopbackHost(url.hostname))
    );
  } catch {
    return false;
  }
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) {
      return true;
    }
  }
  return false;
}
