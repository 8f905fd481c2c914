import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AuditService, type AuditRequest } from '../../audit/index.js';
import type { RequestClient } from '../events/request-client.js';
import { RocketChatLoggedOutEvent } from '../events/rocketchat-logged-out.event.js';
import { TokenMintedEvent } from '../events/token-minted.event.js';
import { TokenReusedEvent } from '../events/token-reused.event.js';
import { TokenRevokedEvent } from '../events/token-revoked.event.js';

/**
 * The Rocket.Chat logins' part of the audit trail: tokens minted, handed out again and revoked,
 * and logouts at Rocket.Chat. Synchronous listeners, so the records keep the request's id and
 * their order.
 */
@Injectable()
export class RocketChatAuditListener {
  constructor(private readonly audit: AuditService) {}

  @OnEvent(TokenMintedEvent.eventName)
  onTokenMinted(event: TokenMintedEvent): void {
    void this.audit.record(
      {
        kind: 'token.minted',
        userId: event.bridgeUserId,
        rocketChatUserId: event.rocketChatUserId,
        detail: event.strategy,
      },
      auditRequest(event.client),
    );
  }

  @OnEvent(TokenReusedEvent.eventName)
  onTokenReused(event: TokenReusedEvent): void {
    void this.audit.record(
      {
        kind: 'token.reused',
        userId: event.bridgeUserId,
        rocketChatUserId: event.rocketChatUserId,
        detail: event.strategy,
      },
      auditRequest(event.client),
    );
  }

  @OnEvent(TokenRevokedEvent.eventName)
  onTokenRevoked(event: TokenRevokedEvent): void {
    void this.audit.record({
      kind: 'token.revoked',
      userId: event.bridgeUserId ?? 'unknown',
      rocketChatUserId: event.rocketChatUserId,
      detail:
        event.scope === 'user'
          ? `${event.reason ?? 'logout'}: every login of the user`
          : (event.reason ?? 'session-ended'),
    });
  }

  @OnEvent(RocketChatLoggedOutEvent.eventName)
  onLoggedOut(event: RocketChatLoggedOutEvent): void {
    void this.audit.record(
      { kind: 'logout', userId: event.bridgeUserId, direction: 'rocketchat' },
      auditRequest(event.client),
    );
  }
}

function auditRequest(
  client: RequestClient | undefined,
): AuditRequest | undefined {
  return (
    client && { ip: client.ip, headers: { 'user-agent': client.userAgent } }
  );
}
