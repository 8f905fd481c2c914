import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import type { ActiveFault } from './core/faults.js';
import {
  rateLimitHeaders,
  tooManyRequestsMessage,
} from './core/rate-limiter.js';

const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a fault did: `continue` to the real endpoint, or the status it answered (0 = none). */
export type FaultOutcome =
  { kind: 'continue' } | { kind: 'answered'; status: number };

const JSON_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  pragma: 'no-cache',
};

function defaultStatusBody(status: number): unknown {
  if (status === 429) {
    return {
      success: false,
      error: `${tooManyRequestsMessage(60_000)} [error-too-many-requests]`,
    };
  }
  if (status === 401) {
    return {
      success: false,
      error: 'You must be logged in to do this.',
      status: 'error',
      message: 'You must be logged in to do this.',
    };
  }
  if (status === 403) {
    return { success: false, error: 'unauthorized' };
  }
  return {
    success: false,
    error: status >= 500 ? 'Internal server error' : 'Bad request',
  };
}

function noAuthTokenBody(
  route: string | null,
  request: FastifyRequest,
): unknown {
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (route === 'login') {
    return {
      status: 'success',
      data: { userId: 'unknown', me: {} },
      success: true,
    };
  }
  if (route === 'users.createToken') {
    return { data: { userId: body.userId ?? 'unknown' }, success: true };
  }
  return { success: true };
}

/** Applies an injected fault to a request (see `core/faults.ts`). */
export async function applyFault(
  fault: ActiveFault,
  route: string | null,
  request: FastifyRequest,
  reply: FastifyReply,
  hung: Set<Socket>,
): Promise<FaultOutcome> {
  if (fault.delayMs) {
    await sleep(fault.delayMs);
  }
  const action = fault.action;
  switch (action.type) {
    case 'latency':
      await sleep(action.ms);
      return { kind: 'continue' };
    case 'hang': {
      reply.hijack();
      const socket = request.raw.socket;
      hung.add(socket);
      socket.once('close', () => hung.delete(socket));
      return { kind: 'answered', status: 0 };
    }
    case 'close':
      reply.hijack();
      request.raw.socket.destroy();
      return { kind: 'answered', status: 0 };
    case 'status': {
      const headers: Record<string, string> = { ...JSON_HEADERS };
      if (action.status === 429) {
        Object.assign(
          headers,
          rateLimitHeaders({
            allowed: false,
            limit: 10,
            remaining: 0,
            timeToReset: 60_000,
          }),
        );
      }
      Object.assign(headers, action.headers);
      const body =
        action.body === undefined
          ? defaultStatusBody(action.status)
          : action.body;
      await reply
        .code(action.status)
        .headers(headers)
        .send(
          Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
        );
      return { kind: 'answered', status: action.status };
    }
    case 'html': {
      const status = action.status ?? 502;
      await reply
        .code(status)
        .header('content-type', 'text/html')
        .send(
          `<html><head><title>${status} Bad Gateway</title></head><body><center><h1>${status} Bad Gateway</h1></center><hr><center>nginx</center></body></html>`,
        );
      return { kind: 'answered', status };
    }
    case 'truncated-json': {
      const status = action.status ?? 200;
      await reply
        .code(status)
        .headers(JSON_HEADERS)
        .send(Buffer.from('{"success":true,"data":{"userId":"'));
      return { kind: 'answered', status };
    }
    case 'success-false':
      await reply
        .code(200)
        .headers(JSON_HEADERS)
        .send(Buffer.from('{"success":false}'));
      return { kind: 'answered', status: 200 };
    case 'no-auth-token':
      await reply
        .code(200)
        .headers(JSON_HEADERS)
        .send(Buffer.from(JSON.stringify(noAuthTokenBody(route, request))));
      return { kind: 'answered', status: 200 };
  }
  throw new Error('rc-emulator: unknown fault action');
}
