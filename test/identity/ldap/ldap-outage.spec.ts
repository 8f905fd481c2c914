import {
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LdapConfigurationError,
  LdapUnavailableError,
} from '../../../src/identity/ldap/index.js';
import {
  SERVICE_DN,
  personDn,
  startTestDirectory,
  type TestDirectory,
} from '../../support/slapd.js';
import {
  directoryEnv,
  ldapFromEnv,
  type LdapUnderTest,
} from './ldap-harness.js';

let d: TestDirectory;
const opened: LdapUnderTest[] = [];

function variant(extra: Record<string, string>): LdapUnderTest {
  const created = ldapFromEnv(directoryEnv(d, extra));
  opened.push(created);
  return created;
}

/** A TCP server that accepts connections and never says anything. */
async function silentServer(): Promise<{
  url: string;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ldap://127.0.0.1:${port}`,
    close: () => {
      for (const s of sockets) {
        s.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  d = await startTestDirectory();
});

afterAll(async () => {
  await Promise.all(opened.map((l) => l.close()));
  await d?.dispose();
});

describe('LDAP directory outages', () => {
  it('should answer "unavailable" quickly while the directory is down and recover by itself when it is back', async () => {
    const ldap = variant({});
    expect(await ldap.auth.login('alice', 'alice-pw-1')).toMatchObject({
      ok: true,
    });
    await d.stop();
    try {
      const started = Date.now();
      const error = await ldap.auth
        .login('alice', 'alice-pw-1')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LdapUnavailableError);
      expect((error as Error).message).toBe(
        `The directory is unavailable: ${d.ldapUrl}: connection refused`,
      );
      expect(Date.now() - started).toBeLessThan(2000);
      await expect(
        ldap.auth.lookup({ username: 'alice' }),
      ).rejects.toBeInstanceOf(LdapUnavailableError);
    } finally {
      await d.start();
    }
    const back = Date.now();
    await expect
      .poll(
        () =>
          ldap.auth
            .login('alice', 'alice-pw-1')
            .catch((e: unknown) => String(e)),
        {
          timeout: 30_000,
          interval: 200,
        },
      )
      .toMatchObject({ ok: true });
    // Nothing to wait for: the first attempt after the restart succeeds.
    expect(Date.now() - back).toBeLessThan(1000);
  });

  it('should replace pooled connections that a restart cut, without failing the sign-in', async () => {
    const ldap = variant({ LDAP_POOL_SIZE: '2' });
    await Promise.all([
      ldap.auth.login('alice', 'alice-pw-1'),
      ldap.auth.login('bob', 'bob-pw-1'),
    ]);
    expect(ldap.pool.openConnections).toBe(2);
    await d.stop();
    await d.start();
    expect(await ldap.auth.login('alice', 'alice-pw-1')).toMatchObject({
      ok: true,
    });
    expect(await ldap.auth.lookup({ username: 'bob' })).toMatchObject({
      status: 'active',
    });
  });

  it('should fail over to the next server in LDAP_URL, and use the first when it works', async () => {
    const dead = `ldap://127.0.0.1:${await deadPort()}`;
    const second = variant({ LDAP_URL: `${dead} ${d.ldapsUrl}` });
    expect(await second.auth.login('alice', 'alice-pw-1')).toMatchObject({
      ok: true,
      server: d.ldapsUrl,
    });
    expect(await second.auth.lookup({ username: 'alice' })).toMatchObject({
      status: 'active',
    });
    const first = variant({ LDAP_URL: `${d.ldapUrl},${dead}` });
    expect(await first.auth.login('alice', 'alice-pw-1')).toMatchObject({
      ok: true,
      server: d.ldapUrl,
    });
  });

  it('should give up on a server that accepts but never answers within the timeouts', async () => {
    const silent = await silentServer();
    try {
      const stuck = variant({
        LDAP_URL: silent.url,
        LDAP_CONNECT_TIMEOUT: '300ms',
        LDAP_TIMEOUT: '300ms',
      });
      const started = Date.now();
      const error = await stuck.auth
        .login('alice', 'alice-pw-1')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LdapUnavailableError);
      expect((error as Error).message).toMatch(
        /did not answer in time|did not complete in time/,
      );
      expect(Date.now() - started).toBeLessThan(1500);
      const past = variant({
        LDAP_URL: `${silent.url} ${d.ldapUrl}`,
        LDAP_CONNECT_TIMEOUT: '300ms',
        LDAP_TIMEOUT: '300ms',
      });
      expect(await past.auth.login('bob', 'bob-pw-1')).toMatchObject({
        ok: true,
        server: d.ldapUrl,
      });
    } finally {
      await silent.close();
    }
  });

  it('should report a refused service bind as a configuration error, without the password', async () => {
    const wrong = variant({ LDAP_BIND_PASSWORD: 'not-the-service-password' });
    const error = await wrong.auth
      .login('alice', 'alice-pw-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LdapConfigurationError);
    expect((error as Error).message).toBe(
      'The directory configuration does not work: the service account bind was refused (invalid credentials): check LDAP_BIND_DN and LDAP_BIND_PASSWORD',
    );
    expect((error as Error).message).not.toContain('not-the-service-password');
  });

  it('should report a missing search base and an unreadable id attribute as configuration errors', async () => {
    const binds = d.bindsFor(personDn('alice'));
    await expect(
      variant({ LDAP_SEARCH_BASE: 'ou=nowhere,dc=example,dc=org' }).auth.login(
        'alice',
        'alice-pw-1',
      ),
    ).rejects.toThrow(/LDAP_SEARCH_BASE does not exist/);
    await expect(
      variant({ LDAP_ID_ATTRIBUTE: 'employeeNumber' }).auth.login(
        'alice',
        'alice-pw-1',
      ),
    ).rejects.toThrow(/has no readable employeeNumber \(LDAP_ID_ATTRIBUTE\)/);
    // found out before the password was sent
    expect(d.bindsFor(personDn('alice'))).toBe(binds);
  });

  it('should search anonymously when no service account is set', async () => {
    const serviceBinds = d.bindsFor(SERVICE_DN);
    const anonymous = variant({ LDAP_BIND_DN: '', LDAP_BIND_PASSWORD: '' });
    // The test directory lets only the service account read: to anonymous, the base is hidden.
    await expect(anonymous.auth.login('alice', 'alice-pw-1')).rejects.toThrow(
      /LDAP_SEARCH_BASE does not exist/,
    );
    expect(d.bindsFor(SERVICE_DN)).toBe(serviceBinds);
  });

  it('should serve many sign-ins at once through a pool of LDAP_POOL_SIZE connections', async () => {
    const small = variant({ LDAP_POOL_SIZE: '2' });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        small.auth.login(
          i % 2 ? 'alice' : 'bob',
          i % 2 ? 'alice-pw-1' : 'bob-pw-1',
        ),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(small.pool.openConnections).toBeLessThanOrEqual(2);
  });
});
