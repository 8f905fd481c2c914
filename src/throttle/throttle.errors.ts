/**
 * The throttle store (MongoDB) could not answer. Fails closed (503): attempts that cannot be
 * counted are not let through. `cause` holds the driver error.
 */
export class ThrottleStoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('The throttle store (MongoDB) is unavailable', options);
    this.name = 'ThrottleStoreUnavailableError';
  }
}
