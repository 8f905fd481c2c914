import type { FastifyRequest } from 'fastify';

/** The error page's texts for "temporarily unavailable" (a store down), for PageResponder.send. */
export const UNAVAILABLE_PAGE = {
  pageTitle: 'error.title',
  heading: 'error.unavailable.heading',
  message: 'error.unavailable.body',
} as const;

/** Whether the client wants a page rather than JSON (a browser navigating or posting a form). */
export function acceptsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}
