import type { FastifyRequest } from 'fastify';

/** The route label of requests that matched no route (404s): one value, never the raw path. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The path of a URL without its query string, which can carry tokens. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The route template (`/users/:id`), never the raw URL: a bounded set of values, fit for a metric
 * label, and free of ids or tokens that a path may contain.
 */
export function routeLabel(request: FastifyRequest): string {
  return request.routeOptions?.url ?? UNMATCHED_ROUTE;
}

/** Probes and scrapes: logged at debug only, or they would drown everything else. */
export function isProbeRoute(route: string): boolean {
  return route.startsWith('/health/') || route === '/metrics';
}
