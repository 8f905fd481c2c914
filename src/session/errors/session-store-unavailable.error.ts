/**
 * The session store (MongoDB) could not answer. Callers must fail closed (503): an unreadable
 * session is never "no session", or an outage would look like a logout to Rocket.Chat.
 */
export class SessionStoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('The session store is unavailable', options);
    this.name = 'SessionStoreUnavailableError';
  }
}
