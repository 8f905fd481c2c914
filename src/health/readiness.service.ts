import { Injectable } from '@nestjs/common';
import { MongoConnectionService } from '../database/index.js';
import {
  RocketChatProbe,
  type ComponentStatus,
} from './rocketchat-probe.service.js';
import { ShutdownState } from './shutdown-state.js';

export interface Readiness {
  /** `ok`; `degraded` (Rocket.Chat down: still ready); `unavailable` / `draining` (not ready). */
  readonly status: 'ok' | 'degraded' | 'unavailable' | 'draining';
  readonly ready: boolean;
  /** Component names and states only: never error texts, hosts or versions. */
  readonly checks: { mongodb: 'up' | 'down'; rocketchat: ComponentStatus };
}

/**
 * Readiness of this replica. Only MongoDB (and shutting down) makes it not ready: every replica
 * depends on the same Rocket.Chat, so failing on it would take them all out of the load balancer at
 * once and turn the bridge's own error pages into the proxy's 502. Rocket.Chat is reported in the
 * body. Concurrent probes share one MongoDB ping; the Rocket.Chat part is cached (see the probe).
 */
@Injectable()
export class ReadinessService {
  private ping: Promise<boolean> | undefined;

  constructor(
    private readonly mongo: MongoConnectionService,
    private readonly rocketchat: RocketChatProbe,
    private readonly shutdown: ShutdownState,
  ) {}

  async check(): Promise<Readiness> {
    const draining = this.shutdown.isDraining;
    const [mongoUp, rocketchat] = await Promise.all([
      this.sharedPing(),
      this.rocketchat.status(),
    ]);
    const checks = { mongodb: mongoUp ? 'up' : 'down', rocketchat } as const;
    if (draining) {
      return { status: 'draining', ready: false, checks };
    }
    if (!mongoUp) {
      return { status: 'unavailable', ready: false, checks };
    }
    return {
      status: rocketchat === 'down' ? 'degraded' : 'ok',
      ready: true,
      checks,
    };
  }

  private sharedPing(): Promise<boolean> {
    this.ping ??= this.mongo.ping().finally(() => {
      this.ping = undefined;
    });
    return this.ping;
  }
}
