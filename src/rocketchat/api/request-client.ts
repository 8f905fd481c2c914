import type { FastifyRequest } from 'fastify';
import type { RequestClient } from '../events/request-client.js';

/** The request's client, as the events carry it (an array User-Agent counts as none). */
export function requestClient(request: FastifyRequest): RequestClient {
  const agent = request.headers['user-agent'];
  return {
    ip: request.ip,
    userAgent: typeof agent === 'string' ? agent : undefined,
  };
}
