import { describe, expect, it } from 'vitest';
import { UsernameRules } from './username-rules.js';

const DEFAULT = '[0-9a-zA-Z-_.]+';

describe('UsernameRules', () => {
  const rules = new UsernameRules(DEFAULT);

  it('should keep a name Rocket.Chat accepts as it is, case included', () => {
    expect(rules.normalise('Alice.Smith-2', 'id1')).toBe('Alice.Smith-2');
  });

  it('should turn e-mail-like and plus names into accepted names', () => {
    expect(rules.normalise('alice@example.org', 'id1')).toBe(
      'alice_at_example.org',
    );
    expect(rules.normalise('bob+test', 'id1')).toBe('bob-test');
  });

  it('should drop diacritics and replace other characters with one separator', () => {
    expect(rules.normalise('José Müller', 'id1')).toBe('Jose_Muller');
    expect(rules.normalise('ﬁnn', 'id1')).toBe('finn');
    expect(rules.normalise('a//b', 'id1')).toBe('a_b');
  });

  it('should give a deterministic fallback when nothing usable is left', () => {
    const name = rules.normalise('日本', 'bridge-user-42');
    expect(name).toMatch(/^user_[0-9a-f]{8}$/);
    expect(rules.normalise('日本', 'bridge-user-42')).toBe(name);
    expect(rules.normalise('日本', 'bridge-user-43')).not.toBe(name);
  });

  it('should bound the length', () => {
    expect(rules.normalise('x'.repeat(200), 'id').length).toBe(48);
  });

  it('should follow a wider UTF-8 pattern configured in Rocket.Chat', () => {
    const unicode = new UsernameRules('[\\p{L}\\p{N}._-]+');
    expect(unicode.normalise('日本', 'id')).toBe('日本');
  });

  it('should list deterministic collision candidates per user', () => {
    const a = rules.candidates('alice', 'user-a');
    expect(a[0]).toBe('alice');
    expect(a).toHaveLength(5);
    expect(a.slice(1).every((n) => /^alice-[0-9a-f]+$/.test(n))).toBe(true);
    expect(rules.candidates('alice', 'user-a')).toEqual(a);
    expect(rules.candidates('alice', 'user-b')[1]).not.toBe(a[1]);
  });

  it('should use a separator the pattern allows in candidates', () => {
    const noDash = new UsernameRules('[0-9a-zA-Z_]+');
    expect(noDash.candidates('bob', 'x')[1]).toMatch(/^bob_[0-9a-f]{4}$/);
    expect(noDash.normalise('bob.smith', 'x')).toBe('bob_smith');
  });
});
