import { describe, expect, it } from 'vitest';
import type { AuthConfig, SessionConfig } from '../../config/index.js';
import { Clock } from '../../common/index.js';
import { DeviceTokens } from './device-tokens.js';

const DAY = 24 * 3600 * 1000;

class FakeClock extends Clock {
  at = 1_700_000_000_000;
  override now(): number {
    return this.at;
  }
}

function tokens(
  lifetimeMs: number | undefined,
  secret = 'x'.repeat(8) + 'unit-test-secret-0123456789',
) {
  const clock = new FakeClock();
  const auth = {
    protection: { deviceCookieLifetimeMs: lifetimeMs },
  } as AuthConfig;
  return {
    clock,
    devices: new DeviceTokens(auth, { secret } as SessionConfig, clock),
  };
}

describe('DeviceTokens', () => {
  it('should verify its own token for the account it names until it expires, with a new nonce each time', () => {
    const { clock, devices } = tokens(90 * DAY);
    const first = devices.issue('alice')!;
    const second = devices.issue('alice')!;
    expect(first.maxAgeSeconds).toBe(90 * 24 * 3600);
    expect(first.value).toMatch(/^d1\.[\w-]+\.[\w-]{43}$/);
    const nonce = devices.verify(first.value, 'alice');
    expect(nonce).toMatch(/^[\w-]{20,}$/);
    expect(devices.verify(second.value, 'alice')).not.toBe(nonce);
    expect(devices.verify(first.value, 'bob')).toBeUndefined();
    clock.at += 90 * DAY;
    expect(devices.verify(first.value, 'alice')).toBeUndefined();
  });

  it('should refuse tampered, foreign, malformed and absent values, and everything when turned off', () => {
    const { devices } = tokens(DAY);
    const { value } = devices.issue('alice')!;
    const [version, payload, mac] = value.split('.');
    const edited = Buffer.from(
      Buffer.from(payload, 'base64url').toString().replace('alice', 'alicf'),
    ).toString('base64url');
    for (const bad of [
      `${version}.${edited}.${mac}`,
      `${version}.${payload}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      `d2.${payload}.${mac}`,
      tokens(DAY, 'another-secret-0123456789abcdefghijkl').devices.issue(
        'alice',
      )!.value,
      'garbage',
      '',
      undefined,
    ]) {
      expect(devices.verify(bad, 'alice')).toBeUndefined();
    }
    const off = tokens(undefined).devices;
    expect(off.issue('alice')).toBeUndefined();
    expect(off.verify(value, 'alice')).toBeUndefined();
  });
});
