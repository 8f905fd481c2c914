import { describe, expect, it } from 'vitest';
import { MetricsService } from './metrics.service.js';

/** The value of one sample line of the exposition text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('MetricsService', () => {
  it('should expose every login and token series at zero before any event', async () => {
    const text = await new MetricsService().render();
    for (const outcome of ['ok', 'failed', 'locked']) {
      expect(
        sample(text, `rcbridge_login_attempts_total{outcome="${outcome}"}`),
      ).toBe(0);
    }
    for (const event of ['minted', 'reused', 'revoked']) {
      expect(
        sample(text, `rcbridge_rocketchat_tokens_total{event="${event}"}`),
      ).toBe(0);
    }
  });

  it('should count logins and token events', async () => {
    const metrics = new MetricsService();
    metrics.loginAttempt('ok');
    metrics.loginAttempt('failed');
    metrics.loginAttempt('failed');
    metrics.loginAttempt('locked');
    metrics.tokenEvent('minted');
    metrics.tokenEvent('reused');
    metrics.tokenEvent('reused');
    metrics.tokenEvent('revoked');
    const text = await metrics.render();
    expect(sample(text, 'rcbridge_login_attempts_total{outcome="ok"}')).toBe(1);
    expect(
      sample(text, 'rcbridge_login_attempts_total{outcome="failed"}'),
    ).toBe(2);
    expect(
      sample(text, 'rcbridge_login_attempts_total{outcome="locked"}'),
    ).toBe(1);
    expect(
      sample(text, 'rcbridge_rocketchat_tokens_total{event="minted"}'),
    ).toBe(1);
    expect(
      sample(text, 'rcbridge_rocketchat_tokens_total{event="reused"}'),
    ).toBe(2);
    expect(
      sample(text, 'rcbridge_rocketchat_tokens_total{event="revoked"}'),
    ).toBe(1);
  });

  it('should time Rocket.Chat calls by endpoint and outcome, folding anything URL-like into "other"', async () => {
    const metrics = new MetricsService();
    metrics.rocketChatCall('users.createToken', '2xx', 0.12);
    metrics.rocketChatCall('users.createToken', '5xx', 0.3);
    metrics.rocketChatCall(
      'https://rc.example/api/v1/users.info?username=eve',
      '4xx',
      0.05,
    );
    const stop = metrics.startRocketChatCall('users.logout');
    stop('timeout');
    const text = await metrics.render();
    const series = 'rcbridge_rocketchat_request_duration_seconds';
    expect(
      sample(
        text,
        `${series}_count{endpoint="users.createToken",outcome="2xx"}`,
      ),
    ).toBe(1);
    expect(
      sample(text, `${series}_sum{endpoint="users.createToken",outcome="2xx"}`),
    ).toBe(0.12);
    expect(
      sample(
        text,
        `${series}_count{endpoint="users.createToken",outcome="5xx"}`,
      ),
    ).toBe(1);
    expect(
      sample(text, `${series}_count{endpoint="other",outcome="4xx"}`),
    ).toBe(1);
    expect(
      sample(
        text,
        `${series}_count{endpoint="users.logout",outcome="timeout"}`,
      ),
    ).toBe(1);
    expect(text).not.toContain('username=eve');
  });

  it('should record HTTP requests and MongoDB commands, and include process metrics with event-loop lag', async () => {
    const metrics = new MetricsService();
    metrics.httpRequest('POST', '/rocketchat/api', 401, 0.004);
    metrics.mongoCommand('find', 'ok', 0.002);
    metrics.mongoCommand('insert', 'error', 0.01);
    const text = await metrics.render();
    expect(
      sample(
        text,
        'rcbridge_http_request_duration_seconds_count{method="POST",route="/rocketchat/api",status="401"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'rcbridge_mongodb_command_duration_seconds_count{command="find",outcome="ok"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'rcbridge_mongodb_command_duration_seconds_count{command="insert",outcome="error"}',
      ),
    ).toBe(1);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('should keep each instance separate (several apps in one process)', async () => {
    const a = new MetricsService();
    const b = new MetricsService();
    a.loginAttempt('ok');
    expect(
      sample(await b.render(), 'rcbridge_login_attempts_total{outcome="ok"}'),
    ).toBe(0);
    expect(
      sample(await a.render(), 'rcbridge_login_attempts_total{outcome="ok"}'),
    ).toBe(1);
  });
});
