import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuditService } from '../../audit/index.js';
import {
  PasswordHasher,
  parseUsername,
  CredentialsService,
  UsersRepository,
  type AuthenticatedUser,
} from '../../users/index.js';
import { InjectConfig, type AuthConfig } from '../../config/index.js';
import { MetricsService } from '../../observability/index.js';
import { addressKey } from '../../security/index.js';
import { AccountLockout } from './account-lockout.service.js';
import { AddressFailures } from './address-failures.service.js';
import {
  LoginBusyError,
  TooManyLoginAttemptsError,
} from './login-protection.errors.js';
import { PasswordCheckGate } from './password-check-gate.js';
import { sleep, TimingEqualizer } from './timing-equalizer.js';

type LoginRequest = Pick<FastifyRequest, 'ip' | 'headers'>;

/**
 * The one way the login form checks a password: `CredentialsService.verify` wrapped in its
 * protections, each decided before any hashing. In order: the client address's failure budget
 * (429, TooManyLoginAttemptsError), a place among the concurrent password checks (503,
 * LoginBusyError), the account's lockout, then the check. A locked account answers null, like a
 * wrong password, after a delay drawn from recent failed checks: the lock shows neither in the
 * answer nor in its timing. Every outcome is audited and counted in the login metric.
 */
@Injectable()
export class LoginProtection {
  private readonly gate: PasswordCheckGate;
  private readonly timing = new TimingEqualizer();

  constructor(
    @InjectConfig('auth') config: AuthConfig,
    private readonly credentials: CredentialsService,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly lockout: AccountLockout,
    private readonly addresses: AddressFailures,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {
    const { concurrency, queue } = config.protection.passwordChecks;
    this.gate = new PasswordCheckGate(concurrency, queue);
  }

  /** The user, or null for wrong credentials and locked accounts alike. */
  async verify(
    username: string,
    password: string,
    request: LoginRequest,
  ): Promise<AuthenticatedUser | null> {
    const parsed = parseUsername(username);
    const name = parsed.ok ? parsed.value.display : username;
    // The form refuses names that cannot exist; should one get here, it shares one harmless key.
    const key = parsed.ok ? parsed.value.key : '\u0000invalid';
    const address = addressKey(request.ip);

    const wait = await this.addresses.refusal(address);
    if (wait !== undefined) {
      this.metrics.loginAttempt('locked');
      void this.audit.record(
        { kind: 'login.throttled', username: name, retryAfterSeconds: wait },
        request,
      );
      throw new TooManyLoginAttemptsError(wait);
    }

    const started = performance.now();
    let outcome;
    try {
      outcome = await this.gate.run(async () => {
        const admission = await this.lockout.admit(key);
        return {
          admission,
          user: admission.admitted
            ? await this.credentials.verify(username, password)
            : null,
        };
      });
    } catch (error) {
      if (error instanceof LoginBusyError) {
        void this.audit.record({ kind: 'login.busy', username: name }, request);
      }
      throw error;
    }
    const { admission, user } = outcome;

    if (user) {
      await this.lockout.succeeded(key);
      this.metrics.loginAttempt('ok');
      void this.audit.record(
        { kind: 'login.succeeded', userId: user.id, username: user.username },
        request,
      );
      return user;
    }

    if (admission.admitted) {
      this.timing.record(performance.now() - started);
    } else {
      await this.equalize(password, performance.now() - started);
    }
    await this.addresses.failed(address);
    const lock = await this.lockout.failed(key, admission, async () =>
      parsed.ok ? (await this.users.findByUsername(username)) !== null : false,
    );
    this.metrics.loginAttempt(admission.admitted ? 'failed' : 'locked');
    void this.audit.record(
      {
        kind: 'login.failed',
        username: name,
        reason: admission.admitted ? 'invalid-credentials' : 'account-locked',
      },
      request,
    );
    if (lock) {
      void this.audit.record(
        { kind: 'account.locked', username: name, ...lock },
        request,
      );
    }
    return null;
  }

  /** Waits as long as a failed check would have taken (a real dummy check before any sample). */
  private async equalize(password: string, elapsedMs: number): Promise<void> {
    const target = this.timing.sample();
    if (target === undefined) {
      await this.gate.run(() => this.hasher.verify(undefined, password));
      return;
    }
    if (target > elapsedMs) {
      await sleep(target - elapsedMs);
    }
  }
}
