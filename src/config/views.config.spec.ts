import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './configuration.js';
import { ConfigValidationError, type Env } from './env.js';

const VALID: Env = {
  MONGODB_URI: 'mongodb://db.internal:27017/bridge',
  ROCKETCHAT_URL: 'https://chat.example.org',
  ROCKETCHAT_USER_ID: 'adminid',
  ROCKETCHAT_AUTH_TOKEN: 'pat-value-that-is-secret',
  SESSION_SECRET: 'views-test-secret-abcdefghijklmnopqrstuvwxyz',
  TOKEN_ENCRYPTION_KEY: 'bMXvzX2g3c8yq6J0v7kP1n4Rz9sT5wQe2aYh8LdF0uc=',
  PUBLIC_URL: 'https://sso.example.org',
};

function problems(env: Env): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return error.problems.map((p) => `${p.variable}: ${p.rule}`);
    }
    throw error;
  }
}

describe('views and branding settings', () => {
  it('should default to the built-in views and branding, cached', () => {
    const { views, brand } = loadConfig(VALID).app;
    expect(views).toEqual({ dir: undefined, cache: true });
    expect(brand).toEqual({
      title: 'Rocket.Chat',
      logoUrl: undefined,
      primaryColor: '#1d74f5',
      backgroundColor: '#f2f3f5',
      isDefault: true,
    });
  });

  it('should read branding and an existing VIEWS_DIR as an absolute path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'views-cfg-'));
    const { views, brand } = loadConfig({
      ...VALID,
      VIEWS_DIR: dir,
      VIEWS_CACHE: 'false',
      BRAND_TITLE: 'Acme Chat',
      BRAND_LOGO_URL: 'https://cdn.example.org/acme.svg',
      BRAND_PRIMARY_COLOR: '#A00',
    }).app;
    expect(views).toEqual({ dir, cache: false });
    expect(brand).toMatchObject({
      title: 'Acme Chat',
      logoUrl: 'https://cdn.example.org/acme.svg',
      primaryColor: '#A00',
      isDefault: false,
    });
    expect(
      loadConfig({ ...VALID, BRAND_LOGO_URL: '/assets/acme.png' }).app.brand
        .logoUrl,
    ).toBe('/assets/acme.png');
  });

  it('should refuse a missing VIEWS_DIR or one that is a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'views-file-')), 'x');
    writeFileSync(file, '');
    expect(problems({ ...VALID, VIEWS_DIR: '/nonexistent/views' })).toEqual([
      'VIEWS_DIR: must name an existing, readable directory',
    ]);
    expect(problems({ ...VALID, VIEWS_DIR: file })).toEqual([
      'VIEWS_DIR: must name a directory',
    ]);
  });

  it.each([
    'javascript:alert(1)',
    'data:image/svg+xml,<svg onload=alert(1)>',
    '//evil.example/logo.png',
    'http://cdn.example.org/logo.png',
    '/assets/logo.png onerror=alert(1)',
    'logo.png',
  ])('should refuse the logo URL %j', (value) => {
    expect(problems({ ...VALID, BRAND_LOGO_URL: value })).toEqual([
      expect.stringMatching(/^BRAND_LOGO_URL: must be an https URL/),
    ]);
  });

  it.each(['red', '#12345', '#1234567', 'url(x)', '#fff;}body{display:none'])(
    'should refuse the colour %j (it goes into a style sheet)',
    (value) => {
      expect(problems({ ...VALID, BRAND_PRIMARY_COLOR: value })).toEqual([
        'BRAND_PRIMARY_COLOR: must be a hex colour such as #1d74f5 or #fff',
      ]);
    },
  );
});
