import { randomUUID } from 'node:crypto';
import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import { MongoConnectionService } from '../../database/index.js';
import { TokenCipher, TokenDecryptionError } from '../tokens/token-cipher.js';
import { AdminBootstrap } from './admin-bootstrap.service.js';
import { AdminCredentialsRepository } from './admin-credentials.repository.js';
import type { RocketChatAuth } from './rocketchat-http.service.js';
import { RocketChatUnavailableError } from './rocketchat.errors.js';

const CONTEXT = 'rocketchat-admin-token';
const LEASE_MS = 60_000;
const WAIT_FOR_OTHER_REPLICA_MS = 10_000;
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 60_000;
const REFUSAL_LOG_INTERVAL_MS = 60_000;

/**
 * The credentials of the bridge's own Rocket.Chat account. Configured as a personal access token
 * (ROCKETCHAT_USER_ID + ROCKETCHAT_AUTH_TOKEN), or created once from ROCKETCHAT_ADMIN_USERNAME /
 * _PASSWORD and kept sealed in the bridge's database, where every replica finds it; a lease makes
 * sure only one replica creates it. Creation starts once MongoDB is up and keeps retrying in the
 * background (Rocket.Chat may start after the bridge); until then calls fail with 503.
 */
@Injectable()
export class AdminCredentials
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(AdminCredentials.name);
  private readonly owner = randomUUID();
  private current: (RocketChatAuth & { sealed?: string }) | undefined;
  private pending: Promise<RocketChatAuth> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastRefusalLog = 0;

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly repository: AdminCredentialsRepository,
    private readonly bootstrap: AdminBootstrap,
    private readonly cipher: TokenCipher,
    private readonly mongo: MongoConnectionService,
  ) {
    if (config.admin.kind === 'token') {
      this.current = {
        userId: config.admin.userId,
        token: config.admin.authToken,
      };
    }
  }

  /** The bridge account's id, when known (its own account is never linked or logged out). */
  get userId(): string | undefined {
    return this.current?.userId;
  }

  onApplicationBootstrap(): void {
    if (this.config.admin.kind === 'password') {
      this.mongo.onConnected(async () => this.warmUp(RETRY_MIN_MS));
    }
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  async get(): Promise<RocketChatAuth> {
    if (this.current) {
      return { userId: this.current.userId, token: this.current.token };
    }
    this.pending ??= this.obtain().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * Rocket.Chat refused these credentials (401). A created token is dropped so the next call
   * creates a new one; a configured one cannot be replaced, so this only logs.
   */
  async refused(auth: RocketChatAuth): Promise<boolean> {
    if (this.config.admin.kind === 'token') {
      // Every call fails the same way until an operator acts: once a minute is enough.
      if (Date.now() - this.lastRefusalLog < REFUSAL_LOG_INTERVAL_MS) {
        return false;
      }
      this.lastRefusalLog = Date.now();
      this.logger.error(
        'Rocket.Chat refused ROCKETCHAT_USER_ID / ROCKETCHAT_AUTH_TOKEN: the personal access token was ' +
          'removed, or the account deactivated; create a new one',
      );
      return false;
    }
    const current = this.current;
    if (current?.token !== auth.token) {
      return true;
    }
    this.current = undefined;
    if (current.sealed) {
      await this.repository.discard(current.sealed);
    }
    this.logger.warn(
      'Rocket.Chat refused the stored personal access token of the bridge; creating a new one',
    );
    return true;
  }

  private async warmUp(delay: number): Promise<void> {
    try {
      await this.get();
    } catch (error) {
      if (this.stopped) {
        return;
      }
      this.logger.warn(
        `Rocket.Chat credentials not ready (${(error as Error).message}); retrying in ${Math.round(delay / 1000)} s`,
      );
      this.retryTimer = setTimeout(
        () => void this.warmUp(Math.min(delay * 2, RETRY_MAX_MS)),
        delay,
      );
      this.retryTimer.unref();
    }
  }

  private async obtain(): Promise<RocketChatAuth> {
    const admin = this.config.admin;
    if (admin.kind !== 'password') {
      throw new Error('unreachable: configured token');
    }
    const stored = await this.loadStored();
    if (stored) {
      this.current = stored;
      return { userId: stored.userId, token: stored.token };
    }
    if (!(await this.repository.acquireLease(this.owner, LEASE_MS))) {
      return this.waitForOtherReplica();
    }
    try {
      // Another replica may have stored one and released the lease between our look and our lease.
      const meanwhile = await this.loadStored();
      if (meanwhile) {
        this.current = meanwhile;
        return { userId: meanwhile.userId, token: meanwhile.token };
      }
      const created = await this.bootstrap.createToken(
        admin.username,
        admin.password,
      );
      const sealed = this.cipher.encrypt(created.token, CONTEXT);
      await this.repository.save({
        rcUserId: created.userId,
        sealedToken: sealed,
        rocketChatUrl: this.config.apiUrl,
      });
      this.current = { ...created, sealed };
      return created;
    } finally {
      await this.repository.releaseLease(this.owner);
    }
  }

  private async loadStored(): Promise<
    (RocketChatAuth & { sealed: string }) | undefined
  > {
    const stored = await this.repository.load();
    if (!stored || stored.rocketChatUrl !== this.config.apiUrl) {
      return undefined;
    }
    try {
      return {
        userId: stored.rcUserId,
        token: this.cipher.decrypt(stored.sealedToken, CONTEXT),
        sealed: stored.sealedToken,
      };
    } catch (error) {
      if (!(error instanceof TokenDecryptionError)) {
        throw error;
      }
      this.logger.warn(
        'The stored Rocket.Chat token was sealed with another TOKEN_ENCRYPTION_KEY; creating a new one',
      );
      await this.repository.discard(stored.sealedToken);
      return undefined;
    }
  }

  private async waitForOtherReplica(): Promise<RocketChatAuth> {
    const deadline = Date.now() + WAIT_FOR_OTHER_REPLICA_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const stored = await this.loadStored();
      if (stored) {
        this.current = stored;
        return { userId: stored.userId, token: stored.token };
      }
    }
    throw new RocketChatUnavailableError(
      'users.generatePersonalAccessToken',
      'timeout',
      'another replica is creating the bridge token',
    );
  }
}
