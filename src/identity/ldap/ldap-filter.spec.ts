import {
  AndFilter,
  EqualityFilter,
  ExtensibleFilter,
  OrFilter,
  PresenceFilter,
  SubstringFilter,
  type Filter,
} from 'ldapts';
import { describe, expect, it } from 'vitest';
import { compileFilter, escapeFilterValue, fillFilter } from './ldap-filter.js';

function bytesOf(filter: Filter): string {
  expect(filter).toBeInstanceOf(EqualityFilter);
  const value = (filter as EqualityFilter).value;
  return Buffer.isBuffer(value) ? value.toString('hex') : `string:${value}`;
}

describe('escapeFilterValue (RFC 4515 section 3)', () => {
  it.each([
    ['alice', 'alice'],
    ['*', '\\2a'],
    ['(', '\\28'],
    [')', '\\29'],
    ['\\', '\\5c'],
    ['\u0000', '\\00'],
    [')(uid=*', '\\29\\28uid=\\2a'],
    ['*)(|(objectClass=*)', '\\2a\\29\\28|\\28objectClass=\\2a\\29'],
    ['\\2a', '\\5c2a'],
    ['josé', 'jos\\c3\\a9'],
    ['Ωμέγα', '\\ce\\a9\\ce\\bc\\ce\\ad\\ce\\b3\\ce\\b1'],
    ['a\nb\tc\u007f', 'a\\0ab\\09c\\7f'],
    ['😀', '\\f0\\9f\\98\\80'],
  ])('should escape %j as %s', (input, expected) => {
    expect(escapeFilterValue(input)).toBe(expected);
  });

  it('should leave only printable ASCII outside escapes', () => {
    const all = Array.from({ length: 0x3000 }, (_, i) =>
      String.fromCodePoint(i),
    ).join('');
    expect(escapeFilterValue(all)).toMatch(/^[\x20-\x7e]*$/);
    expect(escapeFilterValue(all)).not.toMatch(/[()*]/);
  });

  it('should escape every byte of a binary value', () => {
    expect(escapeFilterValue(Buffer.from([0x00, 0x2a, 0xff, 0x41]))).toBe(
      '\\00\\2a\\ffA',
    );
  });
});

describe('fillFilter', () => {
  it('should replace each placeholder by the escaped value and keep unknown ones', () => {
    expect(
      fillFilter('(&(uid={username})(x={username})(y={other}))', {
        username: 'a*',
      }),
    ).toBe('(&(uid=a\\2a)(x=a\\2a)(y={other}))');
  });
});

describe('compileFilter', () => {
  it('should send the UTF-8 bytes of escaped non-ASCII characters, not their re-encoding', () => {
    // ldapts alone would turn \c3\a9 into "Ã©" and send c3 83 c2 a9.
    expect(bytesOf(compileFilter(fillFilter('(uid={u})', { u: 'josé' })))).toBe(
      Buffer.from('josé').toString('hex'),
    );
    expect(bytesOf(compileFilter('(cn=Núñez)'))).toBe(
      Buffer.from('Núñez').toString('hex'),
    );
  });

  it('should keep binary values byte for byte (objectGUID)', () => {
    const guid = Buffer.from('ff19966f868b11d0b42d00c04fc964ff', 'hex');
    const filter = compileFilter(fillFilter('(objectGUID={id})', { id: guid }));
    expect(bytesOf(filter)).toBe(guid.toString('hex'));
  });

  it.each([
    '*',
    ')(uid=*',
    '*)(|(uid=*',
    'alice)(|(objectClass=*',
    '\\2a',
    'al*',
    'alice\u0000',
  ])(
    'should turn the typed name %j into one equality test of exactly its bytes',
    (typed) => {
      const filter = compileFilter(
        fillFilter('(uid={username})', { username: typed }),
      );
      expect(filter).toBeInstanceOf(EqualityFilter);
      expect((filter as EqualityFilter).attribute).toBe('uid');
      expect(bytesOf(filter)).toBe(Buffer.from(typed).toString('hex'));
    },
  );

  it('should keep the structure of the configured filter around the value', () => {
    const filter = compileFilter(
      fillFilter(
        '(&(objectClass=person)(|(uid={username})(mail={username})))',
        {
          username: ')(uid=*',
        },
      ),
    );
    expect(filter).toBeInstanceOf(AndFilter);
    const [objectClass, either] = (filter as AndFilter).filters;
    expect(bytesOf(objectClass)).toBe(Buffer.from('person').toString('hex'));
    expect(either).toBeInstanceOf(OrFilter);
    for (const leaf of (either as OrFilter).filters) {
      expect(bytesOf(leaf)).toBe(Buffer.from(')(uid=*').toString('hex'));
    }
  });

  it('should decode substring and extensible values as UTF-8', () => {
    const sub = compileFilter('(cn=Jos\\c3\\a9*)') as SubstringFilter;
    expect(sub).toBeInstanceOf(SubstringFilter);
    expect(sub.initial).toBe('José');
    const ext = compileFilter(
      '(member:1.2.840.113556.1.4.1941:=cn=Müller,dc=x)',
    ) as ExtensibleFilter;
    expect(ext).toBeInstanceOf(ExtensibleFilter);
    expect(ext.rule).toBe('1.2.840.113556.1.4.1941');
    expect(ext.value).toBe('cn=Müller,dc=x');
    expect(compileFilter('(uid=*)')).toBeInstanceOf(PresenceFilter);
  });
});
