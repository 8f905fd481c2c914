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
  };
}
