import { EnvReader, type Env } from './env.js';
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
}

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
  };
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
