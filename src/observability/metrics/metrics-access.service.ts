import { Injectable, Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { type AppConfig, InjectConfig } from '../../config/index.js';

export type MetricsAccessResult = 'allowed' | 'not-served' | 'unauthorized';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Who may read `/metrics`, and where. Served on METRICS_PORT when set, else on the main port when
 * METRICS_TOKEN is set, else nowhere. A configured token is always required, compared in constant
 * time (of equal-length digests, so the token's length does not leak either).
 */
@Injectable()
export class MetricsAccess {
  private readonly logger = new Logger(MetricsAccess.name);
  private readonly expected: Buffer | undefined;

  constructor(@InjectConfig('app') private readonly app: AppConfig) {
    const token = app.metrics.token;
    this.expected = token === undefined ? undefined : digest(token);
  }

  /** Whether the main port serves `/metrics`. */
  get onMainPort(): boolean {
    return this.app.metrics.port === undefined && this.expected !== undefined;
  }

  get onInternalPort(): boolean {
    return this.app.metrics.port !== undefined;
  }

  check(
    port: 'main' | 'internal',
    authorization: string | undefined,
  ): MetricsAccessResult {
    const served = port === 'main' ? this.onMainPort : this.onInternalPort;
    if (!served) {
      return 'not-served';
    }
    if (this.expected === undefined) {
      return 'allowed';
    }
    const match = /^Bearer +([^\s]+) *$/i.exec(authorization ?? '');
    if (match && timingSafeEqual(digest(match[1]), this.expected)) {
      return 'allowed';
    }
    this.logger.warn(
      `Refused a /metrics request on the ${port} port: ${authorization ? 'wrong' : 'no'} bearer token`,
    );
    return 'unauthorized';
  }
}
