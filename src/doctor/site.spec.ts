import { describe, expect, it } from 'vitest';
import { sameSite, siteOf } from './site.js';

describe('siteOf / sameSite', () => {
  it('should treat sibling hosts of one registrable domain as the same site, ports ignored', () => {
    expect(
      sameSite('https://chat.example.org', 'https://sso.example.org'),
    ).toBe(true);
    expect(
      sameSite('https://example.org:8443', 'https://login.chat.example.org'),
    ).toBe(true);
    expect(siteOf('https://a.b.example.org').site).toBe('example.org');
  });

  it('should treat different registrable domains and different schemes as cross-site', () => {
    expect(
      sameSite('https://chat.example.org', 'https://sso.example.net'),
    ).toBe(false);
    expect(sameSite('http://chat.example.org', 'https://sso.example.org')).toBe(
      false,
    );
  });

  it('should count country second levels and shared hosting as public suffixes', () => {
    expect(siteOf('https://chat.example.co.uk').site).toBe('example.co.uk');
    expect(sameSite('https://chat.foo.co.uk', 'https://sso.bar.co.uk')).toBe(
      false,
    );
    expect(
      sameSite('https://chat.example.com.au', 'https://sso.example.com.au'),
    ).toBe(true);
    expect(sameSite('https://a.github.io', 'https://b.github.io')).toBe(false);
  });

  it('should compare IP addresses and single-label hosts exactly (localhost vs 127.0.0.1 is cross-site)', () => {
    expect(sameSite('http://localhost:8000', 'http://localhost:3000')).toBe(
      true,
    );
    expect(sameSite('http://localhost:8000', 'http://127.0.0.1:3000')).toBe(
      false,
    );
    expect(sameSite('http://10.0.0.1', 'http://10.0.0.2')).toBe(false);
    expect(sameSite('http://[::1]:8000', 'http://[::1]:3000')).toBe(true);
    // The list's default rule: `a.localhost` is registrable, like any name under a one-label suffix.
    expect(sameSite('http://a.localhost', 'http://b.localhost')).toBe(false);
  });

  it('should ignore case and a trailing dot', () => {
    expect(
      sameSite('https://CHAT.Example.ORG.', 'https://sso.example.org'),
    ).toBe(true);
  });
});
