import type { RocketChatVersion } from '../../config/index.js';
import { RocketChatRequestError } from './rocketchat.errors.js';

/**
 * Rocket.Chat #40598: on affected releases `users.createToken` answers 400 "Cannot read
 * properties of undefined (reading 'tokens')" (a TypeError, so no `errorType`) for a user who has
 * no login token yet, after storing the token it then does not return. docs/rocketchat.md
 * explains the cause and what the bridge does about it.
 */
export function isIssue40598(error: unknown): boolean {
  return (
    error instanceof RocketChatRequestError &&
    error.endpoint === 'users.createToken' &&
    error.status === 400 &&
    error.errorType === undefined &&
    /reading 'tokens'/.test(error.reason ?? '')
  );
}

export type Issue40598Status = 'affected' | 'patch-dependent' | 'fixed';

/**
 * By release (anonymous `/api/info` discloses only major.minor): every 7.x (Meteor 3, insert not
 * awaited); 8.x up to the fix that came with PR #40768 (backported to 8.0.8, 8.2.7, 8.3.7; 8.1
 * and 8.4 taken as unfixed); fixed from 8.5 and in 9.x. 6.x and older did not have it.
 */
export function issue40598Status(version: RocketChatVersion): Issue40598Status {
  if (version.major === 7) {
    return 'affected';
  }
  if (version.major !== 8) {
    return 'fixed';
  }
  if ([0, 2, 3].includes(version.minor)) {
    return 'patch-dependent';
  }
  return version.minor >= 5 ? 'fixed' : 'affected';
}
