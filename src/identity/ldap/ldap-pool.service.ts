import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  InjectConfig,
  type LdapConfig,
  type LdapSettings,
} from '../../config/index.js';
import type { ConnectionSettings, LdapConnection } from './ldap-connection.js';
import {
  describeLdapError,
  LdapConfigurationError,
  LdapUnavailableError,
  resultCodeOf,
} from './ldap-errors.js';
import { connectToAny, isServerFailure, ServerHealth } from './ldap-servers.js';

/** An idle connection unused this long is closed rather than reused (servers drop idle ones). */
const MAX_IDLE_MS = 60_000;
/** Connections are renewed after this long, so the pool drifts back to the first server. */
const MAX_AGE_MS = 300_000;

interface Pooled {
  readonly connection: LdapConnection;
  readonly openedAt: number;
  lastUsedAt: number;
}

/**
 * The directory connections: a small pool bound as the service account (searches only), and
 * fresh, separate connections for binding as a person (never pooled, so no pooled connection
 * ever carries a person's identity). A connection that failed is dropped; there is no other
 * state to get stuck in, so sign-in recovers with the first server that answers again.
 */
@Injectable()
export class LdapPool implements OnModuleDestroy {
  private readonly logger = new Logger(LdapPool.name);
  private readonly idle: Pooled[] = [];
  private readonly waiters: Array<() => void> = [];
  private readonly health: ServerHealth;
  private open = 0;
  private closed = false;

  constructor(@InjectConfig('ldap') private readonly config: LdapConfig) {
    this.health = new ServerHealth(config.enabled ? config.servers : []);
  }

  /** Whether LDAP_URL is set; every other member throws LdapConfigurationError when it is not. */
  get enabled(): boolean {
    return this.config.enabled;
  }

  get settings(): LdapSettings {
    if (!this.config.enabled) {
      throw new LdapConfigurationError(
        'LDAP sign-in is not configured (LDAP_URL)',
      );
    }
    return this.config;
  }

  /**
   * Runs `work` on a service-bound connection. When a reused connection turns out dead (the
   * server restarted, a network blip), it is dropped and the work runs once more on a new one.
   * Throws LdapUnavailableError when no server can serve, LdapConfigurationError when the
   * service bind is refused; LDAP answers to `work` itself (noSuchObject, ...) pass through.
   */
  async withServiceConnection<T>(
    work: (connection: LdapConnection) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const { pooled, fresh } = await this.acquire();
      try {
        const result = await work(pooled.connection);
        this.release(pooled);
        return result;
      } catch (error) {
        const failed =
          !pooled.connection.usable ||
          (isServerFailure(error) && resultCodeOf(error) !== undefined);
        if (!failed) {
          this.release(pooled);
          throw error;
        }
        this.discard(pooled);
        // Its idle siblings most likely died with it (a server restart): renew them all.
        for (const sibling of this.idle.splice(0)) {
          this.discard(sibling);
        }
        if (fresh || attempt > 1) {
          throw error instanceof LdapUnavailableError
            ? error
            : new LdapUnavailableError(
                `${pooled.connection.server.url}: ${describeLdapError(error)}`,
                { cause: error },
              );
        }
        this.logger.debug(
          `A pooled directory connection failed (${describeLdapError(error)}); retrying on a new one`,
        );
      }
    }
  }

  /**
   * A new connection that nobody else uses, to bind as a person; the caller closes it. The
   * server that found the person comes first (replicas may lag), then the others.
   */
  openForPersonBind(
    bind: (connection: LdapConnection) => Promise<void>,
    preferred?: string,
  ): Promise<LdapConnection> {
    return connectToAny(this.health, this.transport(), bind, preferred);
  }

  /** Connections currently open (idle or in use), for tests and metrics. */
  get openConnections(): number {
    return this.open;
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    const idle = this.idle.splice(0);
    this.open -= idle.length;
    await Promise.all(idle.map((p) => p.connection.close()));
    for (const wake of this.waiters.splice(0)) {
      wake();
    }
  }

  private async acquire(): Promise<{ pooled: Pooled; fresh: boolean }> {
    const deadline =
      Date.now() + this.settings.connectTimeoutMs + this.settings.timeoutMs;
    for (;;) {
      if (this.closed) {
        throw new LdapUnavailableError('the bridge is shutting down');
      }
      const reused = this.takeIdle();
      if (reused) {
        return { pooled: reused, fresh: false };
      }
      if (this.open < this.settings.poolSize) {
        this.open += 1;
        try {
          const connection = await this.connectAsService();
          const now = Date.now();
          return {
            pooled: { connection, openedAt: now, lastUsedAt: now },
            fresh: true,
          };
        } catch (error) {
          this.open -= 1;
          this.wakeOne();
          throw error;
        }
      }
      if (!(await this.waitForRelease(deadline))) {
        throw new LdapUnavailableError(
          `all ${this.settings.poolSize} directory connections stayed busy (LDAP_POOL_SIZE)`,
        );
      }
    }
  }

  private takeIdle(): Pooled | undefined {
    const now = Date.now();
    for (let pooled = this.idle.pop(); pooled; pooled = this.idle.pop()) {
      if (
        pooled.connection.usable &&
        now - pooled.lastUsedAt < MAX_IDLE_MS &&
        now - pooled.openedAt < MAX_AGE_MS
      ) {
        return pooled;
      }
      this.discard(pooled);
    }
    return undefined;
  }

  private release(pooled: Pooled): void {
    if (this.closed || !pooled.connection.usable) {
      this.discard(pooled);
      return;
    }
    pooled.lastUsedAt = Date.now();
    this.idle.push(pooled);
    this.wakeOne();
  }

  private discard(pooled: Pooled): void {
    this.open -= 1;
    void pooled.connection.close();
    this.wakeOne();
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }

  private waitForRelease(deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(
        () => {
          const at = this.waiters.indexOf(wake);
          if (at !== -1) {
            this.waiters.splice(at, 1);
          }
          resolve(false);
        },
        Math.max(0, deadline - Date.now()),
      );
      timer.unref();
      this.waiters.push(wake);
    });
  }

  private connectAsService(): Promise<LdapConnection> {
    const { bind } = this.settings;
    return connectToAny(this.health, this.transport(), async (connection) => {
      if (bind === undefined) {
        // Anonymous: read the root DSE so that a dead server shows now, not in the first search.
        await connection.client.search('', {
          scope: 'base',
          filter: '(objectClass=*)',
          attributes: ['1.1'],
        });
        return;
      }
      try {
        await connection.client.bind(bind.dn, bind.password);
      } catch (error) {
        const code = resultCodeOf(error);
        if (code === undefined || code === 51 || code === 52) {
          throw error;
        }
        throw new LdapConfigurationError(
          code === 49
            ? 'the service account bind was refused (invalid credentials): check LDAP_BIND_DN and LDAP_BIND_PASSWORD'
            : `the service account bind was refused (${describeLdapError(error)}): check LDAP_BIND_DN`,
          { cause: error },
        );
      }
    });
  }

  private transport(): ConnectionSettings {
    const s = this.settings;
    return {
      startTls: s.startTls,
      caPem: s.caPem,
      connectTimeoutMs: s.connectTimeoutMs,
      timeoutMs: s.timeoutMs,
    };
  }
}
