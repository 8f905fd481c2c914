/**
 * Why a bridge user gets no Rocket.Chat login. These are decisions, not outages: the API URL
 * answers 401 (Rocket.Chat shows the login page) and the post-login page explains.
 */
export type RefusalReason =
  | 'bridge-user-inactive'
  | 'rocketchat-user-inactive'
  | 'privileged-account'
  | 'no-link'
  | 'no-username';

export class RocketChatAccountRefusedError extends Error {
  constructor(
    readonly reason: RefusalReason,
    /** For the log: what happened, never a secret. */
    detail: string,
  ) {
    super(detail);
    this.name = 'RocketChatAccountRefusedError';
  }
}
