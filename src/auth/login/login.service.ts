import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { BoundedMemo } from '../../common/index.js';
import { type AppConfig, InjectConfig } from '../../config/index.js';
import { SessionLifecycle, type Session } from '../../session/index.js';
import { UsersRepository } from '../../users/index.js';
import { LoggedOutEvent } from '../events/logged-out.event.js';
import type { LoginClient } from '../events/login-client.js';
import { DEFAULT_NEXT, withElectronFlag, safeNext } from './next-target.js';

/** Where the login flow goes once it is done: a path on the bridge, in a login window or not. */
export interface LoginTarget {
  readonly next: string;
  readonly popup: boolean;
}

/**
 * The login page's decisions, in domain values (its controllers carry them to and from HTTP):
 * where the flow goes, whether a session may continue without asking, what a confirmation and a
 * logout change.
 */
@Injectable()
export class LoginService {
  private readonly logger = new Logger(LoginService.name);
  /** Rocket.Chat asks with the same `next` every time: validate each distinct value once. */
  private readonly nextTargets = new BoundedMemo((raw) =>
    safeNext(raw, this.app.publicOrigin),
  );

  constructor(
    @InjectConfig('app') private readonly app: AppConfig,
    private readonly sessions: SessionLifecycle,
    private readonly users: UsersRepository,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * GET /login's query as a target: `next` validated here, once (it is then kept in the login-flow
   * cookie), the desktop app's flag kept, `popup=1` for a login window.
   */
  target(query: {
    next?: unknown;
    popup?: unknown;
    client?: unknown;
  }): LoginTarget {
    const next =
      (typeof query.next === 'string'
        ? this.nextTargets.get(query.next)
        : undefined) ?? DEFAULT_NEXT;
    return {
      next:
        query.client === 'electron'
          ? withElectronFlag(next, this.app.publicOrigin)
          : next,
      popup: query.popup === '1',
    };
  }

  /**
   * The name to offer as "Continue as …" for a session Rocket.Chat dropped the token of, or
   * undefined when the account can no longer log in (the session then ends).
   */
  async continuableAs(session: Session): Promise<string | undefined> {
    const user = await this.users.findById(session.userId);
    if (!user?.active) {
      await this.sessions.destroy(session.id, 'user-disabled');
      return undefined;
    }
    return user.displayName ?? user.username;
  }

  loggedIn(userId: string, session: Session): void {
    this.logger.log(`User ${userId} logged in (session ${session.id})`);
  }

  /**
   * The visitor confirmed the account ("Continue as"): stop asking; the token handed out before is
   * replaced by a fresh one at the next hand-out. False when the session ended meanwhile.
   */
  async confirm(session: Session | null): Promise<boolean> {
    return session !== null && (await this.sessions.confirm(session.id));
  }

  /** The logout button was used (the session, if any, has ended): announced for the audit trail. */
  loggedOut(ended: Session | null, client: LoginClient): void {
    this.events.emit(
      LoggedOutEvent.eventName,
      new LoggedOutEvent(ended?.userId, client),
    );
  }
}
