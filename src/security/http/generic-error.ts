import { STATUS_CODES } from 'node:http';

/** Short, fixed answers: never an exception's own message (Fastify's and JSON.parse's quote input). */
const MESSAGES: Record<number, string> = {
  400: 'The request could not be understood',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'The request took too long',
  413: 'The request body is too large',
  414: 'The URL is too long',
  415: 'Unsupported content type',
  429: 'Too many requests; try again later',
  431: 'The request headers are too large',
  500: 'Internal error; quote the request id when reporting it',
  503: 'Temporarily unavailable; try again shortly',
};

/** The JSON body of every error answer: status, its name, a fixed message, the correlation id. */
export function genericErrorBody(status: number, requestId: string): string {
  return JSON.stringify({
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message:
      MESSAGES[status] ??
      (status < 500 ? 'The request was refused' : MESSAGES[500]),
    requestId,
  });
}
