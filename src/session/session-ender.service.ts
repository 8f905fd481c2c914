import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Clock } from '../common/index.js';
import {
  SessionEndedEvent,
  type SessionEndReason,
} from './events/session-ended.event.js';
import { SessionRepository } from './session.repository.js';
import type { SessionRecord } from './session.schema.js';

/** The one way a session ends: delete the record, then announce it if this call deleted it. */
@Injectable()
export class SessionEnder {
  private readonly logger = new Logger(SessionEnder.name);

  constructor(
    private readonly repository: SessionRepository,
    private readonly events: EventEmitter2,
    private readonly clock: Clock,
  ) {}

  /** True when this call ended the session (false: someone else already had). */
  async end(record: SessionRecord, reason: SessionEndReason): Promise<boolean> {
    if (!(await this.repository.delete(record._id))) {
      return false;
    }
    const event = new SessionEndedEvent(
      record.userId,
      record._id.toHexString(),
      reason,
      new Date(this.clock.now()),
    );
    this.logger.log(
      `Session ${event.sessionId} of user ${event.userId} ended (${reason})`,
    );
    try {
      this.events.emit(SessionEndedEvent.eventName, event);
    } catch (error) {
      // The session is gone either way; a listener's failure must not turn a logout into a 500.
      this.logger.error(
        `A ${SessionEndedEvent.eventName} listener failed: ${error instanceof Error ? error.name : 'unknown error'}`,
      );
    }
    return true;
  }
}
