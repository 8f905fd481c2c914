import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EnvReader, type Env } from './env.js';
import {
  readAuditConfig,
  readHttpSecurityConfig,
  type AuditConfig,
  type HttpSecurityConfig,
} from './security.config.js';
import {
  readTrustedHeaderConfig,
  type TrustedHeaderConfig,
} from './trusted-header.config.js';
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

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggingConfig {
  readonly level: LogLevel;
  /** One JSON object per line, or human-readable lines (pino-pretty). */
  readonly format: LogFormat;
}

export interface MetricsConfig {
  /** Bearer token a scraper must send; required on the main port, optional on METRICS_PORT. */
  readonly token: string | undefined;
  /** A separate internal port for `/metrics`; without it (and without a token) metrics are not served. */
  readonly port: number | undefined;
  readonly host: string;
}

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
  /** Same as `logging.level`. */
  readonly logLevel: LogLevel;
  readonly logging: LoggingConfig;
  readonly metrics: MetricsConfig;
  /** How long a SIGTERM/SIGINT waits for in-flight requests before the process gives up. */
  readonly shutdownTimeoutMs: number;
  readonly views: ViewsConfig;
  readonly brand: BrandConfig;
  /** Server limits, trusted proxies, HSTS and rate limits (see security.config.ts). */
  readonly security: HttpSecurityConfig;
  readonly audit: AuditConfig;
  /** Sign-in by a forward-auth proxy's header; undefined: off (the default). */
  readonly trustedHeader: TrustedHeaderConfig | undefined;
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

  const logging = readLoggingConfig(r, nodeEnv);
  const security = readHttpSecurityConfig(r, url.protocol === 'https:');

  return {
    nodeEnv,
    host,
    port,
    publicUrl: withoutTrailingSlash(url),
    publicOrigin: url.origin,
    publicUrlIsHttps: url.protocol === 'https:',
    publicUrlIsLoopback: isLoopbackHost(url.hostname),
    logLevel: logging.level,
    logging,
    metrics: readMetricsConfig(r, port),
    shutdownTimeoutMs: r.durationMs('SHUTDOWN_TIMEOUT', {
      default: 25_000,
      min: 1000,
      max: 600_000,
    }),
    views: readViews(r),
    brand: readBrand(r),
    security,
    audit: readAuditConfig(r),
    trustedHeader: readTrustedHeaderConfig(r, security.trustProxy),
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

function readLoggingConfig(
  r: EnvReader,
  nodeEnv: AppConfig['nodeEnv'],
): LoggingConfig {
  return {
    level: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    format: r.oneOf(
      'LOG_FORMAT',
      LOG_FORMATS,
      nodeEnv === 'development' ? 'pretty' : 'json',
    ),
  };
}

/**
 * The logging settings alone, read leniently: how to report a configuration that fails to load.
 * Broken values fall back to their defaults here; loadConfig reports them.
 */
export function readLoggingSettings(env: Env): LoggingConfig {
  const r = new EnvReader(env, () => '');
  const nodeEnv = r.oneOf(
    'NODE_ENV',
    ['production', 'development', 'test'] as const,
    'production',
  );
  return readLoggingConfig(r, nodeEnv);
}

function readMetricsConfig(r: EnvReader, mainPort: number): MetricsConfig {
  const token = r.string('METRICS_TOKEN', {
    secret: true,
    randomSecret: true,
    minLength: 16,
    maxLength: 512,
    pattern: /^[A-Za-z0-9._~+/=-]+$/,
    patternRule: 'may contain only letters, digits and - . _ ~ + / =',
  });
  let port: number | undefined;
  if (r.has('METRICS_PORT')) {
    port = r.int('METRICS_PORT', { default: 0, min: 1, max: 65535 });
    if (port === mainPort) {
      r.fail('METRICS_PORT', 'must differ from PORT');
    }
    if (port === 0) {
      port = undefined;
    }
  }
  return {
    token,
    port,
    host: r.string('METRICS_HOST', { default: '127.0.0.1' }),
  };
}
