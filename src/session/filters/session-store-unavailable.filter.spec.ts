import type { ArgumentsHost } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import type { PageResponder } from '../../web/index.js';
import { SessionStoreUnavailableFilter } from './session-store-unavailable.filter.js';

function run(accept: string | undefined) {
  const sent: {
    status?: number;
    headers: Record<string, string>;
    body?: unknown;
  } = { headers: {} };
  const reply = {
    status: (code: number) => {
      sent.status = code;
      return reply;
    },
    header: (name: string, value: string) => {
      sent.headers[name] = value;
      return reply;
    },
    send: (body: unknown) => {
      sent.body = body;
      return reply;
    },
  } as unknown as FastifyReply;
  const request = {
    headers: accept ? { accept } : {},
    method: 'POST',
  } as FastifyRequest;
  const host = {
    switchToHttp: () => ({
      getRequest: () => request,
      getResponse: () => reply,
    }),
  } as ArgumentsHost;
  const pages = { send: vi.fn<PageResponder['send']>() };
  const filter = new SessionStoreUnavailableFilter(
    pages as unknown as PageResponder,
  );
  vi.spyOn(filter['logger'], 'warn').mockImplementation(() => undefined);
  filter.catch(
    new SessionStoreUnavailableError({ cause: new Error('ECONNREFUSED') }),
    host,
  );
  return { sent, pages };
}

describe('SessionStoreUnavailableFilter', () => {
  it('should answer API clients with a small JSON 503 and Retry-After', () => {
    const { sent, pages } = run('application/json');
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe('10');
    expect(sent.headers['cache-control']).toBe('no-store');
    expect(sent.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Sessions are temporarily unavailable; try again shortly',
    });
    expect(pages.send).not.toHaveBeenCalled();
  });

  it('should answer browsers with the error page', () => {
    const { pages } = run('text/html,application/xhtml+xml');
    expect(pages.send).toHaveBeenCalledWith(
      expect.anything(),
      expect.anything(),
      'error',
      expect.objectContaining({ heading: 'error.unavailable.heading' }),
      { status: 503 },
    );
  });
});
