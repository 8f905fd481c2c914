import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while handling a request knows about it. */
export interface RequestContext {
  readonly requestId: string;
}

/**
 * Carries the request id from the HTTP layer to code that knows nothing of the request (services,
 * repositories, listeners), so their log lines can name it.
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/** The id of the request being handled, if any (also for correlation ids in error bodies). */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
