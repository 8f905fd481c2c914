import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  ConfigValidationError,
  loadConfig,
  type Env,
} from '../../config/index.js';
import { httpServerOptions } from './server-options.js';

/**
 * TRUST_PROXY is validated by us and applied by Fastify (`@fastify/proxy-addr`, on ipaddr.js). The
 * validator is the stricter of the two: these tests pin where the library alone would differ.
 */
const VALID: Env = {
  MONGODB_URI: 'mongodb://db.internal:27017/bridge',
  ROCKETCHAT_URL: 'https://chat.example.org',
  ROCKETCHAT_USER_ID: 'adminid',
  ROCKETCHAT_AUTH_TOKEN: 'pat-value-that-is-secret',
  SESSION_SECRET: 'abcdefghijklmnopqrstuvwxyz0123456789ABCD',
  TOKEN_ENCRYPTION_KEY: 'bMXvzX2g3c8yq6J0v7kP1n4Rz9sT5wQe2aYh8LdF0uc=',
  PUBLIC_URL: 'https://sso.example.org',
};

/** A Fastify server with the configured trust, answering with the client address it believes. */
async function serverTrusting(trustProxy: string) {
  const security = loadConfig({ ...VALID, TRUST_PROXY: trustProxy }).app
    .security;
  const app = Fastify({ trustProxy: httpServerOptions(security).trustProxy });
  app.get('/', (request) => request.ip);
  await app.ready();
  return {
    clientOf: async (peer: string) =>
      (
        await app.inject({
          url: '/',
          remoteAddress: peer,
          headers: { 'x-forwarded-for': '198.51.100.7' },
        })
      ).body,
    close: () => app.close(),
  };
}

function refused(trustProxy: string): boolean {
  try {
    loadConfig({ ...VALID, TRUST_PROXY: trustProxy });
    return false;
  } catch (error) {
    return error instanceof ConfigValidationError;
  }
}

describe('TRUST_PROXY through Fastify', () => {
  it('should believe X-Forwarded-For only from a listed peer: exact addresses, ranges, IPv4-mapped peers', async () => {
    const server = await serverTrusting('192.168.1.10, fd00::/8');
    try {
      expect(await server.clientOf('192.168.1.10')).toBe('198.51.100.7');
      expect(await server.clientOf('::ffff:192.168.1.10')).toBe('198.51.100.7');
      expect(await server.clientOf('fd00::5')).toBe('198.51.100.7');
      // A neighbour of the exact address, and addresses outside the range, are the client.
      expect(await server.clientOf('192.168.1.11')).toBe('192.168.1.11');
      expect(await server.clientOf('fe80::1')).toBe('fe80::1');
    } finally {
      await server.close();
    }
  });

  it('should boot with every spelling the validator accepts, and trust what it names', async () => {
    const cases: [string, string][] = [
      ['LOOPBACK, linklocal, uniquelocal', '127.0.0.1'],
      ['10.0.0.0/08', '10.1.2.3'],
      ['FD00::/8', 'fd00::1'],
      ['fe80::1%eth0', 'fe80::1%eth0'],
      ['::ffff:10.0.0.1', '10.0.0.1'],
      ['192.0.2.1/32, 2001:db8::/128', '2001:db8::'],
    ];
    const seen: string[][] = [];
    for (const [accepted, proxy] of cases) {
      const server = await serverTrusting(accepted);
      seen.push([
        await server.clientOf(proxy),
        await server.clientOf('203.0.113.1'),
      ]);
      await server.close();
    }
    expect(seen).toEqual(cases.map(() => ['198.51.100.7', '203.0.113.1']));
  });

  it('should refuse what proxy-addr alone would read as some address: hop counts and inet_aton forms', async () => {
    // proxy-addr takes "1" as the address 0.0.0.1 and "127.1" as 127.0.0.1, silently.
    const lenient = Fastify({ trustProxy: ['1', '127.1'] });
    lenient.get('/', (request) => request.ip);
    const through = await lenient.inject({
      url: '/',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '198.51.100.7' },
    });
    expect(through.body).toBe('198.51.100.7');
    await lenient.close();
    const lenientSpellings = ['1', '127.1', '0x7f.0.0.1', '10.0.0.0/255.0.0.0'];
    expect(lenientSpellings.filter((value) => !refused(value))).toEqual([]);
  });
});
