import { describe, expect, it } from 'vitest';
import { parseDisplayName, parseEmail, parseUsername } from './user-fields.js';

describe('usernames', () => {
  it.each([
    ['alice', 'alice', 'alice'],
    ['  Alice ', 'Alice', 'alice'],
    ['ALICE', 'ALICE', 'alice'],
    [
      'j.doe+chat@example-org_1',
      'j.doe+chat@example-org_1',
      'j.doe+chat@example-org_1',
    ],
    ['Zoë', 'Zoë', 'zoë'],
    ['Zoe\u0308', 'Zoë', 'zoë'], // decomposed input composes under NFKC
    ['Ⅻ', 'XII', 'xii'], // compatibility characters fold (as Django's normalize_username does)
    ['ｆｕｌｌｗｉｄｔｈ', 'fullwidth', 'fullwidth'],
    ['Ærøskøbing', 'Ærøskøbing', 'ærøskøbing'],
    ['Δημήτρης', 'Δημήτρης', 'δημήτρης'],
    ['用户', '用户', '用户'],
  ])('should accept %j as %j with the key %j', (input, display, key) => {
    expect(parseUsername(input)).toEqual({ ok: true, value: { display, key } });
  });

  it('should accept 150 characters and count them as code points', () => {
    expect(parseUsername('a'.repeat(150)).ok).toBe(true);
    expect(parseUsername('用'.repeat(150)).ok).toBe(true);
    expect(parseUsername('a'.repeat(151)).ok).toBe(false);
  });

  it('should refuse overlong input with the length rule, without normalising 10 000 characters', () => {
    for (const input of ['a'.repeat(151), 'a'.repeat(10_000)]) {
      const parsed = parseUsername(input);
      expect(parsed.ok ? '' : parsed.problem).toMatch(/at most 150 characters/);
    }
  });

  it('should give case variants one key', () => {
    const keys = ['alice', 'Alice', 'ALICE', ' aLiCe '].map((u) => {
      const parsed = parseUsername(u);
      return parsed.ok ? parsed.value.key : undefined;
    });
    expect(new Set(keys)).toEqual(new Set(['alice']));
  });

  it.each([
    ['', /must not be empty/],
    ['   ', /must not be empty/],
    ['two words', /whitespace/],
    ['tab\there', /control characters/],
    ['nul\u0000byte', /control characters/],
    ['line\nbreak', /control characters/],
    ['esc\u001b[31m', /control characters/],
    ['zero\u200bwidth', /invisible/],
    ['bidi\u202eevil', /invisible/],
    ['semi;colon', /only letters, digits and the characters _ . @ \+ -/],
    ['slash/name', /only letters/],
    ['<script>', /only letters/],
    ['$where', /only letters/],
    ['नमस्ते', /only letters/], // combining marks: refused by Django's \w as well
  ])('should refuse %j with a clear message', (input, message) => {
    const parsed = parseUsername(input);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toMatch(message);
  });
});

describe('e-mail addresses', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['   ', undefined],
    ['alice@example.org', 'alice@example.org'],
    [' Alice.Smith@Example.ORG ', 'Alice.Smith@example.org'],
    ['a+tag@sub.example.co.uk', 'a+tag@sub.example.co.uk'],
    ['root@localhost', 'root@localhost'],
    ['jürgen@münchen.de', 'jürgen@münchen.de'],
  ])('should accept %j as %j', (input, value) => {
    expect(parseEmail(input)).toEqual({ ok: true, value });
  });

  it.each([
    'alice',
    '@example.org',
    'alice@',
    'alice@example',
    'a b@example.org',
    'alice@exa mple.org',
    'alice@@example.org',
    '.alice@example.org',
    'al..ice@example.org',
    'alice@-example.org',
    'alice@exam\nple.org',
    'ali\u0000ce@example.org',
  ])('should refuse %j', (input) => {
    expect(parseEmail(input).ok).toBe(false);
  });

  it('should refuse overlong local parts and addresses', () => {
    expect(parseEmail(`${'a'.repeat(65)}@example.org`).ok).toBe(false);
    expect(parseEmail(`a@${'b'.repeat(250)}.org`).ok).toBe(false);
  });
});

describe('display names', () => {
  it('should trim, collapse whitespace, and treat blank as none', () => {
    expect(parseDisplayName('  Ada   Lovelace ')).toEqual({
      ok: true,
      value: 'Ada Lovelace',
    });
    expect(parseDisplayName('')).toEqual({ ok: true, value: undefined });
    expect(parseDisplayName(undefined)).toEqual({ ok: true, value: undefined });
    expect(parseDisplayName('Ada\nLovelace')).toEqual({
      ok: true,
      value: 'Ada Lovelace',
    });
    expect(parseDisplayName('مهسا\u200cمحمدی')).toEqual({
      ok: true,
      value: 'مهسا\u200cمحمدی',
    });
  });

  it('should refuse control characters and overlong names', () => {
    expect(parseDisplayName('evil\u001b[2J').ok).toBe(false);
    expect(parseDisplayName('bidi\u202eeman').ok).toBe(false);
    expect(parseDisplayName('x'.repeat(301)).ok).toBe(false);
  });
});
