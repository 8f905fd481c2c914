import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { SessionConfig } from '../../config/index.js';
import { Clock } from '../../common/index.js';
import { SessionCookies } from '../../session/index.js';
import { LoginFlowCookie } from './login-flow.cookie.js';
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
  const flows = new LoginFlowService(config, clock);
  const cookie = new LoginFlowCookie(new SessionCookies(config), flows);
  return { clock, flows, cookie };
}

/** Starts a flow and returns the cookie value the browser would keep. */
function issue(service: LoginFlowCookie, cookie?: string) {
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
    const { flows, cookie } = setup();
    const { flow, value } = issue(cookie);
    const read = cookie.read(request(value));
    expect(read).toEqual({ state: 'valid', flow });
    const token = flows.csrfToken(flow);
    expect(flows.tokenMatches(flow, token)).toBe(true);
    const other = issue(cookie).flow;
    expect(flows.tokenMatches(other, token)).toBe(false);
    expect(flows.tokenMatches(flow, token.slice(1))).toBe(false);
    expect(flows.tokenMatches(flow, [token])).toBe(false);
    expect(flows.tokenMatches(flow, undefined)).toBe(false);
  });

  it('should keep the nonce when a valid flow is refreshed, so other open forms stay valid', () => {
    const { cookie } = setup();
    const first = issue(cookie);
    const second = issue(cookie, first.value);
    expect(second.flow.nonce).toBe(first.flow.nonce);
  });

  it('should refuse a tampered, re-signed, foreign or expired cookie', () => {
    const { cookie, clock } = setup();
    const { value } = issue(cookie);
    const [version, payload, mac] = value.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        x: '//evil.example',
      }),
    ).toString('base64url');
    expect(cookie.read(request(`${version}.${forged}.${mac}`)).state).toBe(
      'invalid',
    );
    const flipped = `${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    expect(cookie.read(request(`${version}.${payload}.${flipped}`)).state).toBe(
      'invalid',
    );
    expect(cookie.read(request('garbage')).state).toBe('invalid');
    expect(cookie.read(request(`v2.${payload}.${mac}`)).state).toBe('invalid');

    const otherKey = setup('another-secret-0123456789abcdefghijklmnopq').cookie;
    expect(otherKey.read(request(value)).state).toBe('invalid');

    clock.at += LOGIN_FLOW_LIFETIME_MS + 1;
    expect(cookie.read(request(value)).state).toBe('invalid');
    expect(cookie.read(request()).state).toBe('missing');
  });
});
