import { Logger } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/index.js';
import { TEST_ENV } from '../support/app.js';
import { createObservedApp, type ObservedApp } from './observed-app.js';

/** A service that knows nothing of HTTP requests. */
class ProbeService {
  private readonly logger = new Logger('ProbeService');

  async work(name: string): Promise<void> {
    await sleep(5);
    this.logger.log(`probe worked for ${name}`);
    await Promise.resolve();
    this.logger.debug('probe done');
  }
}

const SECRET_COOKIE = 'rcbridge_session=sid-abcdef0123456789';
const SECRET_BEARER = 'bearer-value-0123456789';
const SECRET_QUERY = 'query-token-0123456789';
const MINTED = 'minted-login-token-0123456789';

function axiosLikeError(): Error {
  return Object.assign(new Error('Request failed with status code 500'), {
    name: 'AxiosError',
    code: 'ERR_BAD_RESPONSE',
    config: { headers: { 'X-Auth-Token': TEST_ENV.ROCKETCHAT_AUTH_TOKEN } },
    response: { status: 500, data: { data: { authToken: MINTED } } },
  });
}

let observed: ObservedApp | undefined;

async function start(env: Env = {}): Promise<ObservedApp> {
  const probe = new ProbeService();
  observed = await createObservedApp({
    env,
    routes: (fastify) => {
      fastify.post('/test/probe', (request) =>
        probe
          .work((request.body as { name: string }).name)
          .then(() => ({ ok: true })),
      );
      fastify.get('/test/leak', (request) => {
        new Logger('LeakyService').warn('about to fail', {
          headers: request.headers,
          query: request.query,
          note: `using ${String(TEST_ENV.ROCKETCHAT_AUTH_TOKEN)} and ${String(TEST_ENV.SESSION_SECRET)}`,
        });
        return sleep(1).then(() => {
          throw axiosLikeError();
        });
      });
    },
  });
  return observed;
}

afterEach(async () => {
  await observed?.close();
  observed = undefined;
});

describe('request logging', () => {
  it('should write one JSON line per request with method, route, status, duration and request id, and return the id', async () => {
    const { app, logs } = await start();
    const response = await app.inject({
      method: 'POST',
      url: '/test/probe',
      payload: { name: 'alice' },
    });
    expect(response.statusCode).toBe(200);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const requestLines = logs
      .json()
      .filter((line) => line.route === '/test/probe');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: 'info',
      requestId: id,
      method: 'POST',
      route: '/test/probe',
      status: 200,
    });
    expect(typeof requestLines[0].durationMs).toBe('number');
  });

  it('should put the request id on lines a service logs during the request, across awaits and after the body is parsed', async () => {
    // A real socket: body chunks arrive in the socket's async context, not the request's
    // (app.inject would hide that).
    const { app, logs } = await start({ LOG_LEVEL: 'debug' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = await app.getUrl();
    // The body comes in two writes 30 ms apart, so parsing ends in a later socket event.
    const post = (name: string) =>
      new Promise<{ status?: number; id: string | undefined }>(
        (resolve, reject) => {
          const body = JSON.stringify({ name, padding: 'x'.repeat(2000) });
          const req = httpRequest(`${base}/test/probe`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          });
          req.on('response', (res) => {
            res.resume();
            res.on('end', () =>
              resolve({
                status: res.statusCode,
                id: res.headers['x-request-id'] as string | undefined,
              }),
            );
          });
          req.on('error', reject);
          req.write(body.slice(0, 100));
          setTimeout(() => req.end(body.slice(100)), 30);
        },
      );
    const [first, second] = await Promise.all([post('alice'), post('bob')]);
    expect(first.status).toBe(200);
    const firstId = first.id;
    const secondId = second.id;
    expect(firstId).toMatch(/^[0-9a-f-]{36}$/);
    expect(firstId).not.toBe(secondId);

    const lines = logs.json();
    const worked = (name: string) =>
      lines.find((line) => line.msg === `probe worked for ${name}`);
    expect(worked('alice')).toMatchObject({
      context: 'ProbeService',
      requestId: firstId,
    });
    expect(worked('bob')).toMatchObject({
      context: 'ProbeService',
      requestId: secondId,
    });
    const done = lines.filter((line) => line.msg === 'probe done');
    expect(done).toHaveLength(2);
    expect(done.map((line) => line.requestId)).toEqual(
      expect.arrayContaining([firstId, secondId]),
    );
    // Lines not written for a request carry no id.
    const startup = lines.find((line) => line.context === 'NestApplication');
    expect(startup?.requestId).toBeUndefined();
  });

  it('should put the request id on lines of Nest-routed requests too', async () => {
    const { app, logs } = await start({
      METRICS_TOKEN: 'scrape-token-0123456789',
    });
    const response = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: {
        'x-request-id': 'proxy-id-42',
        authorization: 'Bearer wrong-token-000',
      },
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['x-request-id']).toBe('proxy-id-42');
    const refused = logs
      .json()
      .find((line) => line.context === 'MetricsAccess');
    expect(refused).toMatchObject({ level: 'warn', requestId: 'proxy-id-42' });
    expect(logs.text).not.toContain('wrong-token-000');
  });

  it('should keep a safe incoming X-Request-Id and replace unsafe ones', async () => {
    const { app, logs } = await start();
    const kept = await app.inject({
      method: 'POST',
      url: '/test/probe',
      headers: { 'x-request-id': 'edge-7f3a.1' },
      payload: { name: 'a' },
    });
    expect(kept.headers['x-request-id']).toBe('edge-7f3a.1');

    for (const hostile of [
      'two words',
      '{"level":"fatal","msg":"forged"}',
      'x'.repeat(200),
      'naïve-id',
    ]) {
      const response = await app.inject({
        method: 'POST',
        url: '/test/probe',
        headers: { 'x-request-id': hostile },
        payload: { name: 'a' },
      });
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(logs.text).not.toContain(hostile);
    }
    expect(logs.text).not.toContain('forged');
  });

  it('should never log cookies, authorization headers, tokens, configured secrets or query strings', async () => {
    const { app, logs } = await start({ LOG_LEVEL: 'trace' });
    const response = await app.inject({
      method: 'GET',
      url: `/test/leak?token=${SECRET_QUERY}&next=/x`,
      headers: {
        cookie: SECRET_COOKIE,
        authorization: `Bearer ${SECRET_BEARER}`,
        'x-auth-token': String(TEST_ENV.ROCKETCHAT_AUTH_TOKEN),
      },
    });
    expect(response.statusCode).toBe(500);
    const missing = await app.inject({
      method: 'GET',
      url: `/no/such/page?loginToken=${SECRET_QUERY}`,
      headers: { cookie: SECRET_COOKIE },
    });
    expect(missing.statusCode).toBe(404);

    // The lines were written: the warning, Nest's exception log, and both request lines.
    const lines = logs.json();
    expect(lines.find((line) => line.msg === 'about to fail')).toBeDefined();
    const failure = lines.find((line) => line.context === 'ExceptionsHandler');
    expect(failure).toMatchObject({
      level: 'error',
      requestId: response.headers['x-request-id'],
      err: { type: 'AxiosError', status: 500 },
    });
    expect(lines.find((line) => line.route === '/test/leak')).toMatchObject({
      status: 500,
    });
    expect(lines.find((line) => line.route === 'unmatched')).toMatchObject({
      status: 404,
      path: '/no/such/page',
    });

    const secrets = [
      'sid-abcdef0123456789',
      SECRET_BEARER,
      SECRET_QUERY,
      MINTED,
      String(TEST_ENV.ROCKETCHAT_AUTH_TOKEN),
      String(TEST_ENV.SESSION_SECRET),
    ];
    expect(secrets.filter((secret) => logs.text.includes(secret))).toEqual([]);
  });
});

describe('log level and format', () => {
  it('should log health probes only at debug', async () => {
    const info = await start({ LOG_LEVEL: 'info' });
    await info.app.inject({ method: 'GET', url: '/health/live' });
    expect(info.logs.json().some((line) => line.route === '/health/live')).toBe(
      false,
    );
    await info.close();

    const debug = await start({ LOG_LEVEL: 'debug' });
    await debug.app.inject({ method: 'GET', url: '/health/live' });
    expect(
      debug.logs.json().find((line) => line.route === '/health/live'),
    ).toMatchObject({
      level: 'debug',
      status: 200,
    });
  });

  it('should write nothing below LOG_LEVEL', async () => {
    const { app, logs } = await start({ LOG_LEVEL: 'warn' });
    await app.inject({
      method: 'POST',
      url: '/test/probe',
      payload: { name: 'a' },
    });
    await app.inject({ method: 'GET', url: '/test/leak' });
    const levels = new Set(logs.json().map((line) => line.level));
    expect(levels.has('warn')).toBe(true);
    expect(levels.has('error')).toBe(true);
    expect(levels.has('info')).toBe(false);
    expect(levels.has('debug')).toBe(false);
  });

  it('should write human-readable lines with LOG_FORMAT=pretty, with user input escaped', async () => {
    const { app, logs } = await start({ LOG_FORMAT: 'pretty' });
    await app.inject({
      method: 'POST',
      url: '/test/probe',
      headers: { 'x-request-id': 'pretty-1' },
      payload: { name: 'eve\n[2026-01-01 00:00:00.000Z] INFO: forged' },
    });
    const line = logs.lines.find((l) => l.includes('probe worked'));
    expect(line).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z\] INFO: \[ProbeService\] <pretty-1> probe worked for eve\\u000a\[2026/,
    );
    expect(logs.lines.some((l) => l.startsWith('[2026-01-01'))).toBe(false);
    expect(logs.lines.some((l) => l.startsWith('{'))).toBe(false);
  });
});
