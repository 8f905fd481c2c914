import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocaleCatalog, interpolate } from './locale-catalog.js';
import { BUILTIN_LOCALES_DIR } from './web-paths.js';

describe('LocaleCatalog', () => {
  const catalog = new LocaleCatalog([BUILTIN_LOCALES_DIR]);

  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['de', 'de'],
    ['de-CH', 'de'],
    ['fr-FR,fr;q=0.9,de;q=0.8,en;q=0.5', 'de'],
    ['en;q=0.4, de;q=0.9', 'de'],
    ['de;q=0, en', 'en'],
    ['DE-de', 'de'],
    ['xx, *;q=0.1', 'en'],
    ['zz', 'en'],
    [`${'q, '.repeat(500)}de`, 'en'],
    ['de;q=abc', 'de'],
    // Equal q: the visitor's order decides (negotiator 1.x prefers an exact match, here the later one).
    ['de-CH, en', 'de'],
    ['en-US, de', 'en'],
  ])('should choose a language for Accept-Language %j: %s', (header, tag) => {
    expect(catalog.negotiate(header)).toBe(tag);
  });

  it('should translate every English message into German', () => {
    const en = catalog.messages('en');
    const de = catalog.messages('de');
    const untranslated = Object.keys(en).filter(
      (key) => de[key] === undefined || de[key] === en[key],
    );
    expect(untranslated).toEqual([]);
  });

  it('should merge operator message files over the built-in ones and add languages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locales-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'en.json'),
      JSON.stringify({ login: { heading: 'Sign in to Acme' } }),
    );
    writeFileSync(
      join(dir, 'nl.json'),
      JSON.stringify({ login: { heading: 'Inloggen' } }),
    );
    const merged = new LocaleCatalog([BUILTIN_LOCALES_DIR, dir]);
    expect(merged.messages('en')['login.heading']).toBe('Sign in to Acme');
    expect(merged.messages('en')['login.submit']).toBe('Log in');
    expect(merged.negotiate('nl-BE')).toBe('nl');
    expect(merged.messages('nl')['login.heading']).toBe('Inloggen');
    // Missing in Dutch: English.
    expect(merged.messages('nl')['login.submit']).toBe('Log in');
  });
});

describe('interpolate', () => {
  it('should fill placeholders and leave unknown ones', () => {
    expect(interpolate('Continue as {name} ({x})', { name: 'Ada' })).toBe(
      'Continue as Ada ({x})',
    );
  });
});
