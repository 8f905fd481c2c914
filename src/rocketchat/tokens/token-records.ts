/**
 * A session's token records: the browser's (keyed by the session id) and, once the person opened
 * "Open in the Rocket.Chat app", the app's (the session id plus this suffix; session ids are
 * ObjectId hex, so the two never collide). The app is a second device: its own token, so that
 * neither's logout or refusal ends the other's login, and both end with the bridge session.
 */
const APP_SUFFIX = ':app';

export function appTokenRecordId(sessionId: string): string {
  return `${sessionId}${APP_SUFFIX}`;
}

/** The bridge session a token record belongs to. */
export function sessionIdOfRecord(recordId: string): string {
  return recordId.endsWith(APP_SUFFIX)
    ? recordId.slice(0, -APP_SUFFIX.length)
    : recordId;
}
