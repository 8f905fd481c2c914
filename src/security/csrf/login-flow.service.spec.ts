import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { SessionConfig } from '../../config/index.js';
import { Clock } from '../../common/index.js';
import { SessionCookies } from '../../session/index.js';
import {
  LOGIN_FLOW_LIFETIME_MS,
  LoginFlowService,
} from './login-flow.service.js';

const CONFIG: SessionConfig = {
  cookieName: 'rcbridge_session',
  cookieSameSite: 'lax',
  cookieSecure: true,
  cookiePartitioned: false,
  idleTimeoutMs: 3_600_000,
  absoluteTimeoutMs: 86_400_000,
  touchIntervalMs: 60_000,
  sweepIntervalMs: 600_000,
  secret: 'unit-test-secret-0123456789abcdefghijklmnop',
};

class FakeClock extends Clock {
  at = 1_700_000_000_000;
  override now(): number {
    return this.at;
  }
}

function setup(secret = CONFIG.secret) {
  const clock = new FakeClock();
  const config = { ...CONFIG, secret };
  const service = new LoginFlowService(
    config,
    new SessionCookies(config),
    clock,
  );
  return { clock, service };
}

/** Starts a flow and returns the cookie value the browser would keep. */
function issue(service: LoginFlowService, cookie?: string) {
  let setCookie: string[] = [];
  const reply = {
    getHeader: () => setCookie,
    removeHeader: () => reply,
    header: (_: string, value: string[]) => {
      setCookie = value;
      return reply;
    },
  } as unknown as FastifyReply;
  const flow = service.start(request(cookie), reply, {
    next: '/rocketchat/redirect',
    popup: false,
  });
  const value = /^__Host-rcbridge_session_login=([^;]+)/.exec(setCookie[0])![1];
  return { flow, value };
}

function request(loginCookie?: string): FastifyRequest {
  return {
    headers: loginCookie
      ? { cookie: `__Host-rcbridge_session_login=${loginCookie}` }
      : {},
  } as FastifyRequest;
}

describe('LoginFlowService', () => {
  it('should read back a flow it issued and accept only its own token', () => {
    const { service } = setup();
    const { flow, value } = issue(service);
    const read = service.read(request(value));
    expect(read).toEqual({ state: 'valid', flow });
    const token = service.csrfToken(flow);
    expect(service.tokenMatches(flow, token)).toBe(true);
    const other = issue(service).flow;
    expect(service.tokenMatches(other, token)).toBe(false);
    expect(service.tokenMatches(flow, token.slice(1))).toBe(false);
    expect(service.tokenMatches(flow, [token])).toBe(false);
    expect(service.tokenMatches(flow, undefined)).toBe(false);
  });

  it('should keep the nonce when a valid flow is refreshed, so other open forms stay valid', () => {
    const { service } = setup();
    const first = issue(service);
    const second = issue(service, first.value);
    expect(second.flow.nonce).toBe(first.flow.nonce);
  });

  it('should refuse a tampered, re-signed, foreign or expired cookie', () => {
    const { service, clock } = setup();
    const { value } = issue(service);
    const [version, payload, mac] = value.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        x: '//evil.example',
      }),
    ).toString('base64url');
    expect(service.read(request(`${version}.${forged}.${mac}`)).state).toBe(
      'invalid',
    );
    const flipped = `${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    expect(
      service.read(request(`${version}.${payload}.${flipped}`)).state,
    ).toBe('invalid');
    expect(service.read(request('garbage')).state).toBe('invalid');
    expect(service.read(request(`v2.${payload}.${mac}`)).state).toBe('invalid');

    const otherKey = setup(
      'another-secret-0123456789abcdefghijklmnopq',
    ).service;
    expect(otherKey.read(request(value)).state).toBe('invalid');

    clock.at += LOGIN_FLOW_LIFETIME_MS + 1;
    expect(service.read(request(value)).state).toBe('invalid');
    expect(service.read(request()).state).toBe('missing');
  });
});
