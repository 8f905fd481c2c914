import { Injectable } from '@nestjs/common';
import { SessionRepository } from './session.repository.js';

/**
 * When each session's person was last vouched for by their identity source, for the module that
 * checks them again (a directory person may have left since they signed in). Sessions only keep
 * the time; what a check decides, and ending the sessions, is the caller's (SessionLifecycle
 * ends them). Every method may throw SessionStoreUnavailableError.
 */
@Injectable()
export class SessionSourceChecks {
  constructor(private readonly repository: SessionRepository) {}

  /** Users whose person was last checked at or before `cutoff`, longest-waiting first. */
  dueUsers(cutoff: Date, limit: number): Promise<string[]> {
    return this.repository.findDueForSourceCheck(cutoff, limit);
  }

  /**
   * Takes the check of one user's person (their due sessions count as checked `at` from now):
   * false when none was due any more, because another process (a bridge replica) took it.
   */
  async claim(userId: string, cutoff: Date, at: Date): Promise<boolean> {
    return (await this.repository.claimSourceCheck(userId, cutoff, at)) > 0;
  }

  /** Sets the time of the last check for every session of the user (a retry is scheduled so). */
  setCheckedAt(userId: string, at: Date): Promise<void> {
    return this.repository.setSourceCheckedAt(userId, at);
  }
}
