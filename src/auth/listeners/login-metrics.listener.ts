import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { MetricsService } from '../../observability/index.js';
import { LoginAttemptedEvent } from '../events/login-attempted.event.js';

/**
 * The login metric (`outcome`: ok, failed, locked; a throttled address counts as locked; a busy
 * refusal is not counted). Here rather than in observability/, which every module imports and so
 * may import none of them.
 */
@Injectable()
export class LoginMetricsListener {
  constructor(private readonly metrics: MetricsService) {}

  @OnEvent(LoginAttemptedEvent.eventName)
  onLoginAttempted(event: LoginAttemptedEvent): void {
    switch (event.outcome) {
      case 'succeeded':
        this.metrics.loginAttempt('ok');
        return;
      case 'failed':
        this.metrics.loginAttempt('failed');
        return;
      case 'locked':
      case 'throttled':
        this.metrics.loginAttempt('locked');
        return;
      case 'busy':
        return;
    }
  }
}
