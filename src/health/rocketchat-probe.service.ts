import { setTimeout } from 'node:timers';
import { Injectable } from '@nestjs/common';
import { AdminCredentials, RocketChatHttp } from '../rocketchat/index.js';

/** `unknown`: not asked yet, and the first answer is still on its way. */
export type ComponentStatus = 'up' | 'down' | 'unknown';

/** A result younger than this is answered from memory: probes cannot hammer Rocket.Chat. */
export const PROBE_CACHE_MS = 5000;
/** A probe never waits longer for Rocket.Chat; it then answers the last known state. */
export const PROBE_WAIT_MS = 1000;

/**
 * Whether Rocket.Chat answers and accepts the bridge's credentials (`GET /api/v1/me` with them,
 * through the one REST client, so an open circuit answers at once). Cached, and shared by
 * concurrent probes: at most one call per PROBE_CACHE_MS per replica.
 */
@Injectable()
export class RocketChatProbe {
  private last: { status: 'up' | 'down'; at: number } | undefined;
  private inFlight: Promise<'up' | 'down'> | undefined;

  constructor(
    private readonly http: RocketChatHttp,
    private readonly admin: AdminCredentials,
  ) {}

  async status(): Promise<ComponentStatus> {
    if (this.last && Date.now() - this.last.at < PROBE_CACHE_MS) {
      return this.last.status;
    }
    this.inFlight ??= this.check().then((status) => {
      this.last = { status, at: Date.now() };
      this.inFlight = undefined;
      return status;
    });
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), PROBE_WAIT_MS).unref();
    });
    const answer = await Promise.race([this.inFlight, patience]);
    clearTimeout(timer);
    return answer ?? this.last?.status ?? 'unknown';
  }

  private async check(): Promise<'up' | 'down'> {
    try {
      const auth = await this.admin.get();
      await this.http.call({ method: 'GET', endpoint: 'me', auth });
      return 'up';
    } catch {
      // Unreachable, refused credentials, open circuit: all "down"; the log and the metrics say why.
      return 'down';
    }
  }
}
