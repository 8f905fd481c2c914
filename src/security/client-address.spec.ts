import { describe, expect, it } from 'vitest';
import { addressKey } from './client-address.js';

describe('addressKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:10.1.2.3', '10.1.2.3'],
    // IPv4-mapped written in hex (an X-Forwarded-For entry can be): the IPv4 address, not ::/64.
    ['::ffff:c000:221', '192.0.2.33'],
    ['[::ffff:203.0.113.7]', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::99', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['[2001:db8::1]', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
  ])('should key %j as %j', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });

  it('should give two hosts of one IPv6 /64 one key, and other networks their own', () => {
    expect(addressKey('2001:db8:aa:bb::1')).toBe(
      addressKey('2001:db8:aa:bb:ffff::2'),
    );
    expect(addressKey('2001:db8:aa:bb::1')).not.toBe(
      addressKey('2001:db8:aa:bc::1'),
    );
  });

  it('should never use text that is not an address as a key', () => {
    for (const value of [
      undefined,
      '',
      'not-an-ip',
      '10.0.0.1; DROP',
      'a'.repeat(500),
      // inet_aton spellings that ipaddr.js alone would accept as IPv4.
      '127.1',
      '0x7f.0.0.1',
      '1',
      '1::2::3',
    ]) {
      expect(addressKey(value)).toBe('unknown');
    }
  });
});
