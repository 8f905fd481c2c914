import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AuditService } from '../../audit/index.js';
import {
  BackchannelLogoutEvent,
  ExternalSignInEvent,
} from '../events/external-sign-in.event.js';
import type { LoginClient } from '../events/login-client.js';

/**
 * The audit trail of sign-ins through identity sources outside the bridge (OpenID providers, a
 * trusted proxy header) and of the providers' back-channel logouts: one record per outcome.
 */
@Injectable()
export class SignInAuditListener {
  constructor(private readonly audit: AuditService) {}

  @OnEvent(ExternalSignInEvent.eventName)
  onExternalSignIn(event: ExternalSignInEvent): void {
    const request = auditRequest(event.client);
    const { user, reason, username, error } = event.detail;
    if (event.outcome === 'succeeded' && user) {
      void this.audit.record(
        {
          kind:
            event.source === 'oidc'
              ? 'oidc.login.succeeded'
              : 'header.login.succeeded',
          userId: user.id,
          username: user.username,
          provider: event.provider,
        },
        request,
      );
      return;
    }
    void this.audit.record(
      {
        kind:
          event.source === 'oidc'
            ? 'oidc.login.failed'
            : 'header.login.refused',
        provider: event.provider,
        reason: reason ?? 'unknown',
        ...(username === undefined ? {} : { username }),
        ...(error === undefined ? {} : { error }),
      },
      request,
    );
  }

  @OnEvent(BackchannelLogoutEvent.eventName)
  onBackchannelLogout(event: BackchannelLogoutEvent): void {
    const outcome = event.outcome;
    void this.audit.record(
      outcome.accepted
        ? {
            kind: 'oidc.backchannel-logout',
            provider: outcome.provider,
            sessions: outcome.sessions,
          }
        : { kind: 'oidc.backchannel-logout.refused', reason: outcome.reason },
      auditRequest(event.client),
    );
  }
}

function auditRequest(client: LoginClient): {
  ip: string | undefined;
  headers: { 'user-agent': string | undefined };
} {
  return { ip: client.ip, headers: { 'user-agent': client.userAgent } };
}
