import { Injectable } from '@nestjs/common';
import { UsersRepository } from '../users/index.js';
import { Clock } from '../common/index.js';
import { SessionStoreUnavailableError } from './errors/session-store-unavailable.error.js';

export type SessionUserVerdict = 'ok' | 'user-disabled' | 'password-changed';

interface UserState {
  readonly active: boolean;
  readonly passwordChangedAt: number | undefined;
}

/**
 * Sessions the admin CLI invalidated: `rc-bridge users disable` and `passwd` run in another
 * process and cannot tell the service, so every session resolution asks whether its user still
 * exists, is active, and set no new password after the session began. The user's state is cached
 * for a few seconds per process (the API URL resolves sessions on Rocket.Chat's start-up path),
 * so such a session ends within that delay.
 */
@Injectable()
export class SessionUserCheck {
  static readonly cacheMs = 5000;
  private static readonly maxEntries = 10_000;
  private readonly cache = new Map<
    string,
    { state: UserState | null; readAt: number }
  >();

  constructor(
    private readonly users: UsersRepository,
    private readonly clock: Clock,
  ) {}

  async verdict(
    userId: string,
    sessionCreatedAt: Date,
  ): Promise<SessionUserVerdict> {
    const state = await this.state(userId);
    if (!state?.active) {
      return 'user-disabled';
    }
    if (
      state.passwordChangedAt !== undefined &&
      state.passwordChangedAt > sessionCreatedAt.getTime()
    ) {
      return 'password-changed';
    }
    return 'ok';
  }

  private async state(userId: string): Promise<UserState | null> {
    const now = this.clock.now();
    const cached = this.cache.get(userId);
    if (
      cached &&
      now - cached.readAt >= 0 &&
      now - cached.readAt < SessionUserCheck.cacheMs
    ) {
      return cached.state;
    }
    let state: UserState | null;
    try {
      const user = await this.users.findById(userId);
      state = user
        ? {
            active: user.active,
            passwordChangedAt: user.passwordChangedAt?.getTime(),
          }
        : null;
    } catch (error) {
      // An unreadable user is not a deleted one: fail closed (503), never log the session out.
      throw new SessionStoreUnavailableError({ cause: error });
    }
    if (this.cache.size >= SessionUserCheck.maxEntries) {
      this.cache.clear();
    }
    this.cache.set(userId, { state, readAt: now });
    return state;
  }
}
