import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { SessionEndedEvent } from '../../session/index.js';
import { SessionEnd } from '../tokens/session-end.service.js';

/**
 * Bridge logout → Rocket.Chat: every ended session (logout, expiry, replacement, disabled user)
 * has its Rocket.Chat login ended. The session module emits without knowing who listens and
 * swallows listener errors, so failures are logged here; the orphan sweep catches what is missed.
 */
@Injectable()
export class SessionEndedListener {
  private readonly logger = new Logger(SessionEndedListener.name);

  constructor(private readonly sessionEnd: SessionEnd) {}

  @OnEvent(SessionEndedEvent.eventName, { async: true })
  async handle(event: SessionEndedEvent): Promise<void> {
    try {
      await this.sessionEnd.ended(event.sessionId, event.userId, event.reason);
    } catch (error) {
      this.logger.error(
        `Could not queue the end of the Rocket.Chat login of session ${event.sessionId} ` +
          `(${(error as Error).message}); the orphan sweep will retry`,
      );
    }
  }
}
