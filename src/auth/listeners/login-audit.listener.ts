import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AuditService, type AuditRequest } from '../../audit/index.js';
import { AccountLockedEvent } from '../events/account-locked.event.js';
import { DirectoryLoginEvent } from '../events/directory-login.event.js';
import { LoggedOutEvent } from '../events/logged-out.event.js';
import { LoginAttemptedEvent } from '../events/login-attempted.event.js';
import type { LoginClient } from '../events/login-client.js';

/**
 * The sign-in decision's part of the audit trail: every login attempt, lock and logout at the
 * bridge. Synchronous listeners, so the records keep the request's id and their order.
 */
@Injectable()
export class LoginAuditListener {
  constructor(private readonly audit: AuditService) {}

  @OnEvent(LoginAttemptedEvent.eventName)
  onLoginAttempted(event: LoginAttemptedEvent): void {
    const request = auditRequest(event.client);
    switch (event.outcome) {
      case 'succeeded':
        void this.audit.record(
          {
            kind: 'login.succeeded',
            userId: event.user!.id,
            username: event.user!.username,
          },
          request,
        );
        return;
      case 'failed':
      case 'locked':
        void this.audit.record(
          {
            kind: 'login.failed',
            username: event.username,
            reason:
              event.outcome === 'failed'
                ? 'invalid-credentials'
                : 'account-locked',
          },
          request,
        );
        return;
      case 'throttled':
        void this.audit.record(
          {
            kind: 'login.throttled',
            username: event.username,
            retryAfterSeconds: event.retryAfterSeconds!,
          },
          request,
        );
        return;
      case 'busy':
        void this.audit.record(
          { kind: 'login.busy', username: event.username },
          request,
        );
        return;
    }
  }

  @OnEvent(AccountLockedEvent.eventName)
  onAccountLocked(event: AccountLockedEvent): void {
    void this.audit.record(
      {
        kind: 'account.locked',
        username: event.username,
        until: event.until,
        level: event.level,
      },
      auditRequest(event.client),
    );
  }

  /** Why the directory said no (the form does not say): beside the request's login.* record. */
  @OnEvent(DirectoryLoginEvent.eventName)
  onDirectoryLogin(event: DirectoryLoginEvent): void {
    void this.audit.record({
      kind: 'login.directory',
      username: event.username,
      result: event.outcome,
      userId: event.userId,
      dn: event.dn,
      detail: event.detail,
    });
  }

  @OnEvent(LoggedOutEvent.eventName)
  onLoggedOut(event: LoggedOutEvent): void {
    void this.audit.record(
      { kind: 'logout', userId: event.userId, direction: 'bridge' },
      auditRequest(event.client),
    );
  }
}

function auditRequest(client: LoginClient): AuditRequest {
  return { ip: client.ip, headers: { 'user-agent': client.userAgent } };
}
