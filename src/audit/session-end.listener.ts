import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { SessionEndedEvent } from '../session/index.js';
import { AuditService } from './audit.service.js';

/** Every end of a session (logout, expiry, a new login, a disabled user...) joins the trail. */
@Injectable()
export class SessionEndAuditListener {
  constructor(private readonly audit: AuditService) {}

  @OnEvent(SessionEndedEvent.eventName)
  onSessionEnded(event: SessionEndedEvent): void {
    void this.audit.record({
      kind: 'session.ended',
      userId: event.userId,
      session: event.sessionId,
      reason: event.reason,
    });
  }
}
