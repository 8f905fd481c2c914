import type { FastifyRequest } from 'fastify';
import type { LoginClient } from '../events/login-client.js';

/** The request's client, as the sign-in decision sees it (an array User-Agent counts as none). */
export function loginClient(request: FastifyRequest): LoginClient {
  const agent = request.headers['user-agent'];
  return {
    ip: request.ip,
    userAgent: typeof agent === 'string' ? agent : undefined,
  };
}
