import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MongoConnectionService } from '../../src/database/index.js';
import { createTestApp, type TestApp } from '../support/app.js';

const EVERYWHERE = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'permissions-policy': expect.stringContaining('camera=()'),
  'cross-origin-resource-policy': 'same-origin',
  'content-security-policy': expect.stringMatching(/^default-src 'none'; /),
};

function headersOf(response: LightMyRequestResponse) {
  return response.headers;
}

describe('security headers (OPS-5)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ label: 'headers' });
  });
  afterAll(() => t.close());

  const requests: [string, () => Promise<LightMyRequestResponse>][] = [
    ['the login page', () => t.app.inject({ method: 'GET', url: '/login' })],
    [
      'a liveness probe',
      () => t.app.inject({ method: 'GET', url: '/health/live' }),
    ],
    [
      'an asset',
      () => t.app.inject({ method: 'GET', url: '/assets/login.css' }),
    ],
    ['a 404 (JSON)', () => t.app.inject({ method: 'GET', url: '/nowhere' })],
    [
      'a 404 (page)',
      () =>
        t.app.inject({
          method: 'GET',
          url: '/nowhere',
          headers: { accept: 'text/html' },
        }),
    ],
    [
      'a 415',
      () =>
        t.app.inject({
          method: 'POST',
          url: '/login',
          headers: { 'content-type': 'application/xml' },
          payload: '<a/>',
        }),
    ],
    [
      'the page at / (the login form)',
      () =>
        t.app.inject({
          method: 'GET',
          url: '/',
          headers: { accept: 'text/html' },
        }),
    ],
  ];

  it.each(requests.map(([name], i) => [name, i] as const))(
    'should send nosniff, Referrer-Policy, Permissions-Policy, CORP and a CSP on %s, never X-Powered-By',
    async (_name, index) => {
      const response = await requests[index][1]();
      expect(headersOf(response)).toMatchObject(EVERYWHERE);
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['strict-transport-security']).toBeUndefined(); // PUBLIC_URL is http
    },
  );

  it('should send the same headers on a forced 500, and never COOP (it would cut the login window off from Rocket.Chat)', async () => {
    vi.spyOn(t.app.get(MongoConnectionService), 'ping').mockRejectedValue(
      new Error('boom'),
    );
    const failed = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(failed.statusCode).toBe(500);
    expect(failed.headers).toMatchObject({
      ...EVERYWHERE,
      'x-frame-options': 'DENY',
    });
    // test/browser/login-iframe.spec.ts: the login window keeps its opener on any page it reaches.
    expect(failed.headers['cross-origin-opener-policy']).toBeUndefined();
  });

  it('should give every page a CSP with a fresh nonce that is the one in the page, and nothing inline without it', async () => {
    const nonces = [];
    for (let i = 0; i < 2; i++) {
      const page = await t.app.inject({ method: 'GET', url: '/login' });
      const csp = String(page.headers['content-security-policy']);
      const nonce = /script-src 'nonce-([\w-]{22})'/.exec(csp)?.[1];
      expect(csp).toBe(
        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; ` +
          "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; " +
          "base-uri 'none'; object-src 'none'; frame-ancestors http://localhost:3000",
      );
      expect(page.body).toContain(`<style nonce="${nonce}">`);
      expect(page.body).not.toMatch(
        /<script(?![^>]*nonce=)|\son[a-z]+=|style="/,
      );
      nonces.push(nonce);
    }
    expect(new Set(nonces).size).toBe(2);
  });
});

describe('HSTS', () => {
  const https = {
    PUBLIC_URL: 'https://sso.example.org',
    ROCKETCHAT_URL: 'https://chat.example.org',
  };

  it.each([
    ['PUBLIC_URL is https', {}, 'max-age=31536000; includeSubDomains'],
    [
      'a shorter max-age without subdomains is configured',
      { HSTS_MAX_AGE: '30d', HSTS_INCLUDE_SUBDOMAINS: 'false' },
      'max-age=2592000',
    ],
    ['HSTS_MAX_AGE is 0', { HSTS_MAX_AGE: '0' }, undefined],
  ])(
    'should send Strict-Transport-Security as configured when %s',
    async (_case, env, expected) => {
      const t = await createTestApp({ env: { ...https, ...env } });
      try {
        for (const url of ['/login', '/health/live', '/nowhere']) {
          const response = await t.app.inject({ method: 'GET', url });
          expect(response.headers['strict-transport-security']).toBe(expected);
        }
      } finally {
        await t.close();
      }
    },
  );

  it('should let an https logo into the page CSP', async () => {
    const t = await createTestApp({
      env: {
        ...https,
        BRAND_LOGO_URL: 'https://cdn.example.net/brand/logo.svg',
      },
    });
    try {
      const page = await t.app.inject({ method: 'GET', url: '/login' });
      expect(page.headers['content-security-policy']).toContain(
        "img-src 'self' data: https://cdn.example.net;",
      );
    } finally {
      await t.close();
    }
  });
});
