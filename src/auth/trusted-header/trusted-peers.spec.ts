import { describe, expect, it } from 'vitest';
import { TrustedPeers } from './trusted-peers.js';

describe('TrustedPeers', () => {
  const peers = new TrustedPeers([
    '10.0.0.0/8',
    '192.0.2.7',
    'fd00::/8',
    'loopback',
  ]);

  it.each([
    '10.1.2.3',
    '192.0.2.7',
    '::ffff:10.9.9.9',
    'fd12::1',
    '127.0.0.1',
    '::1',
  ])('should trust %s', (address) => {
    expect(peers.has(address)).toBe(true);
  });

  it.each([
    '11.0.0.1',
    '192.0.2.8',
    '::ffff:192.0.2.8',
    'fe80::1',
    '',
    undefined,
    'not an address',
  ])('should not trust %s', (address) => {
    expect(peers.has(address)).toBe(false);
  });

  it('should trust nobody with an empty TRUST_PROXY', () => {
    expect(new TrustedPeers([]).has('127.0.0.1')).toBe(false);
  });
});
