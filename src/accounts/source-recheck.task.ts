import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Clock } from '../common/index.js';
import { InjectConfig, type LdapConfig } from '../config/index.js';
import { MongoConnectionService, PeriodicTask } from '../database/index.js';
import { LDAP_SOURCE } from '../identity/index.js';
import { AccountStanding } from '../rocketchat/index.js';
import { SessionSourceChecks } from '../session/index.js';
import { UsersRepository } from '../users/index.js';
import { SourceRecheck } from './source-recheck.service.js';

/** Sessions read per query; a backlog is worked through in batches within one pass. */
const BATCH = 100;
/** A person the directory could not be asked about is asked again after this long. */
export const RECHECK_RETRY_MS = 60_000;

/**
 * The re-check of signed-in directory people, in the background: every pass takes the sessions
 * whose person was last vouched for LDAP_RECHECK_INTERVAL ago or more, claims each user (so two
 * bridge replicas never check one person at once) and checks them (SourceRecheck). A person the
 * directory could not be asked about keeps their sessions and is asked again a minute later.
 * Deactivations Rocket.Chat did not answer are tried again here too. Runs only with LDAP_URL.
 */
@Injectable()
export class SourceRecheckTask
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(SourceRecheckTask.name);
  private readonly task: PeriodicTask;

  constructor(
    @InjectConfig('ldap') private readonly config: LdapConfig,
    private readonly checks: SessionSourceChecks,
    private readonly users: UsersRepository,
    private readonly recheck: SourceRecheck,
    private readonly standing: AccountStanding,
    private readonly clock: Clock,
    mongo: MongoConnectionService,
  ) {
    const interval = config.enabled ? config.recheckIntervalMs : 60_000;
    this.task = new PeriodicTask(mongo, this.logger, {
      name: 'Directory re-check',
      // Often enough that nobody waits much past the interval, never more than once a minute.
      intervalMs: Math.min(60_000, Math.max(5_000, Math.floor(interval / 4))),
      pass: () => this.pass(),
      report: (n) => `Checked ${n} signed-in directory person(s) again`,
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.enabled) {
      this.task.start();
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass now (tests, and callers that must not wait for the timer). */
  run(): Promise<number> {
    return this.task.run();
  }

  private async pass(): Promise<number> {
    if (!this.config.enabled) {
      return 0;
    }
    const now = this.clock.now();
    const cutoff = new Date(now - this.config.recheckIntervalMs);
    let checked = 0;
    let unanswered = 0;
    for (;;) {
      const due = await this.checks.dueUsers(cutoff, BATCH);
      for (const userId of due) {
        if (this.task.stopped) {
          return checked;
        }
        if (!(await this.checks.claim(userId, cutoff, new Date(now)))) {
          continue;
        }
        const user = await this.users.findById(userId);
        if (user?.source !== LDAP_SOURCE.kind) {
          continue;
        }
        const report = await this.recheck.check(user);
        if (report.status === 'unavailable') {
          unanswered += 1;
          await this.checks.setCheckedAt(
            userId,
            new Date(now - this.config.recheckIntervalMs + RECHECK_RETRY_MS),
          );
        } else {
          checked += 1;
        }
      }
      if (due.length === 0 || this.task.stopped) {
        break;
      }
    }
    if (unanswered > 0) {
      this.logger.warn(
        `The directory did not answer for ${unanswered} signed-in person(s); their sessions stay, asked again in a minute`,
      );
    }
    await this.retryDeactivations();
    return checked;
  }

  private async retryDeactivations(): Promise<void> {
    if (
      !this.config.enabled ||
      this.config.policy.deprovision !== 'deactivate'
    ) {
      return;
    }
    for (const userId of await this.standing.dueRetries(BATCH)) {
      if (this.task.stopped) {
        return;
      }
      await this.standing.deprovision(userId, 'deactivate');
    }
  }
}
