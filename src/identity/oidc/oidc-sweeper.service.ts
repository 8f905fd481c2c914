import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { MongoConnectionService, PeriodicTask } from '../../database/index.js';
import { LogoutTokenRepository } from './logout-token.repository.js';
import { OidcClock } from './oidc-clock.js';
import { PendingLoginRepository } from './pending-login.repository.js';

/**
 * Deletes expired pending sign-ins and remembered logout tokens. TTL indexes do it where the
 * server has them; FerretDB v1 has not, and an expired record is refused either way.
 */
@Injectable()
export class OidcSweeper
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly task: PeriodicTask;

  constructor(
    private readonly logins: PendingLoginRepository,
    private readonly logoutTokens: LogoutTokenRepository,
    private readonly clock: OidcClock,
    mongo: MongoConnectionService,
  ) {
    this.task = new PeriodicTask(mongo, new Logger(OidcSweeper.name), {
      name: 'OpenID sign-in sweep',
      intervalMs: 60_000,
      pass: () => this.pass(),
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  sweep(): Promise<number> {
    return this.task.run();
  }

  private async pass(): Promise<number> {
    const now = new Date(this.clock.now());
    return (
      (await this.logins.deleteExpired(now)) +
      (await this.logoutTokens.deleteExpired(now))
    );
  }
}
