import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigValidationError,
  loadConfig,
  type Env,
} from '../../src/config/index.js';
import { AppModule } from '../../src/app.module.js';
import {
  MetricsServer,
  MetricsService,
} from '../../src/observability/index.js';
import { TEST_ENV } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  createObservedApp,
  freePort,
  sample,
  type ObservedApp,
} from './observed-app.js';

const TOKEN = 'scrape-token-0123456789abcdef';

let observed: ObservedApp | undefined;

async function start(env: Env = {}): Promise<ObservedApp> {
  observed = await createObservedApp({ env });
  return observed;
}

afterEach(async () => {
  await observed?.close();
  observed = undefined;
});

async function scrape(app: ObservedApp['app']): Promise<string> {
  const response = await app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.statusCode).toBe(200);
  return response.body;
}

describe('/metrics exposure', () => {
  it('should not serve metrics at all when neither METRICS_TOKEN nor METRICS_PORT is set', async () => {
    const { app, logs } = await start();
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('rcbridge_');
    expect(logs.text).toContain('Metrics are not served');
  });

  it('should require the bearer token on the main port when METRICS_TOKEN is set', async () => {
    const { app } = await start({ METRICS_TOKEN: TOKEN });
    for (const authorization of [
      undefined,
      'Bearer wrong-token-0123456789abcdef',
      `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      TOKEN,
    ]) {
      const response = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization ? { authorization } : {},
      });
      expect({ authorization, status: response.statusCode }).toEqual({
        authorization,
        status: 401,
      });
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="metrics"',
      );
      expect(response.body).not.toContain('rcbridge_');
    }
    const ok = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `bearer ${TOKEN}` },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain/);
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(ok.body).toContain(
      '# TYPE rcbridge_http_request_duration_seconds histogram',
    );
  });

  it('should serve metrics on METRICS_PORT only, and not on the main port', async () => {
    const port = await freePort();
    const { app } = await start({ METRICS_PORT: String(port) });
    expect(
      (await app.inject({ method: 'GET', url: '/metrics' })).statusCode,
    ).toBe(404);

    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toContain('rcbridge_login_attempts_total');
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(
      404,
    );
    expect(
      (await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' }))
        .status,
    ).toBe(404);
  });

  it('should require the token on METRICS_PORT too when both are set, and close the port on shutdown', async () => {
    const port = await freePort();
    const running = await start({
      METRICS_PORT: String(port),
      METRICS_TOKEN: TOKEN,
    });
    const { app } = running;
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    const ok = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(ok.status).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: '/metrics' })).statusCode,
    ).toBe(404);

    await running.close();
    observed = undefined;
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow(
      'fetch failed',
    );
  });
  it('should not open the metrics port from a standalone context such as the CLI', async () => {
    const port = await freePort();
    const context = await NestFactory.createApplicationContext(
      AppModule.forRoot({
        env: {
          ...TEST_ENV,
          MONGODB_URI: freshDatabaseUri('cli').uri,
          METRICS_PORT: String(port),
        },
      }),
      { logger: false },
    );
    try {
      expect(context.get(MetricsServer).port).toBeUndefined();
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow(
        'fetch failed',
      );
    } finally {
      await context.close();
    }
  });
});

describe('metric values', () => {
  it('should time HTTP requests by method, route template and status', async () => {
    const { app } = await start({ METRICS_TOKEN: TOKEN });
    const live =
      'rcbridge_http_request_duration_seconds_count{method="GET",route="/health/live",status="200"}';
    const missing =
      'rcbridge_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}';
    const before = await scrape(app);
    for (let i = 0; i < 3; i++) {
      await app.inject({ method: 'GET', url: '/health/live' });
    }
    await app.inject({ method: 'GET', url: '/no/such/user-alice?token=x' });
    const after = await scrape(app);
    expect(sample(before, live) ?? 0).toBe(0);
    expect(sample(after, live)).toBe(3);
    expect(sample(after, missing)).toBe(1);
    expect(after).not.toContain('user-alice');
  });

  it('should show what other modules count through MetricsService', async () => {
    const { app } = await start({ METRICS_TOKEN: TOKEN });
    const metrics = app.get(MetricsService);
    metrics.loginAttempt('failed');
    metrics.loginAttempt('locked');
    metrics.tokenEvent('minted');
    metrics.rocketChatCall('users.createToken', '2xx', 0.05);
    const text = await scrape(app);
    expect(
      sample(text, 'rcbridge_login_attempts_total{outcome="failed"}'),
    ).toBe(1);
    expect(
      sample(text, 'rcbridge_login_attempts_total{outcome="locked"}'),
    ).toBe(1);
    expect(sample(text, 'rcbridge_login_attempts_total{outcome="ok"}')).toBe(0);
    expect(
      sample(text, 'rcbridge_rocketchat_tokens_total{event="minted"}'),
    ).toBe(1);
    expect(
      sample(
        text,
        'rcbridge_rocketchat_request_duration_seconds_count{endpoint="users.createToken",outcome="2xx"}',
      ),
    ).toBe(1);
  });

  it('should time MongoDB commands from the driver and report the connection as up', async () => {
    const { app } = await start({ METRICS_TOKEN: TOKEN });
    const connection = app.get<Connection>(getConnectionToken());
    const find =
      'rcbridge_mongodb_command_duration_seconds_count{command="find",outcome="ok"}';
    const before = sample(await scrape(app), find) ?? 0;
    await connection
      .db!.collection('probe')
      .findOne({ _id: 'nothing' as never });
    await connection.db!.collection('probe').findOne({});
    const text = await scrape(app);
    expect(sample(text, find)).toBe(before + 2);
    expect(
      sample(
        text,
        'rcbridge_mongodb_command_duration_seconds_sum{command="find",outcome="ok"}',
      ),
    ).toBeGreaterThan(0);
    expect(sample(text, 'rcbridge_mongodb_up')).toBe(1);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});

describe('metrics configuration', () => {
  function problems(env: Env): string[] {
    try {
      loadConfig({ ...TEST_ENV, MONGODB_URI: 'mongodb://127.0.0.1/x', ...env });
      return [];
    } catch (error) {
      if (error instanceof ConfigValidationError) {
        return error.problems.map((p) => `${p.variable}: ${p.rule}`);
      }
      throw error;
    }
  }

  it('should refuse a short or oddly shaped token without printing it, and a metrics port equal to PORT', () => {
    const short = problems({ METRICS_TOKEN: 'tiny-secret' });
    expect(short).toEqual([
      'METRICS_TOKEN: must be at least 16 characters long',
    ]);
    const spaced = problems({
      METRICS_TOKEN: 'has spaces in this secret value',
    });
    expect(spaced.join()).toContain('METRICS_TOKEN: may contain only');
    expect(spaced.join()).not.toContain('spaces in this');
    expect(problems({ PORT: '9000', METRICS_PORT: '9000' })).toEqual([
      'METRICS_PORT: must differ from PORT',
    ]);
    expect(problems({ METRICS_PORT: 'nine' })).toEqual([
      'METRICS_PORT: must be a whole number',
    ]);
    expect(problems({ LOG_FORMAT: 'xml' })).toEqual([
      'LOG_FORMAT: must be one of: json, pretty',
    ]);
  });

  it('should default to JSON logs, pretty ones in development, and metrics bound to loopback', () => {
    const base = { ...TEST_ENV, MONGODB_URI: 'mongodb://127.0.0.1/x' };
    expect(
      loadConfig({ ...base, NODE_ENV: 'production' }).app.logging.format,
    ).toBe('json');
    expect(
      loadConfig({ ...base, NODE_ENV: 'development' }).app.logging.format,
    ).toBe('pretty');
    expect(
      loadConfig({ ...base, NODE_ENV: 'development', LOG_FORMAT: 'json' }).app
        .logging.format,
    ).toBe('json');
    expect(loadConfig(base).app.metrics).toEqual({
      token: undefined,
      port: undefined,
      host: '127.0.0.1',
    });
  });
});
