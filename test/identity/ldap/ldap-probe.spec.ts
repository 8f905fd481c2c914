import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GROUPS_DN,
  SERVICE_DN,
  SERVICE_PASSWORD,
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
let dead: string;
const opened: LdapUnderTest[] = [];

function variant(extra: Record<string, string>): LdapUnderTest {
  const created = ldapFromEnv(directoryEnv(d, extra));
  opened.push(created);
  return created;
}

beforeAll(async () => {
  d = await startTestDirectory();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dead = `ldap://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise((resolve) => server.close(resolve));
});

afterAll(async () => {
  await Promise.all(opened.map((l) => l.close()));
  await d?.dispose();
});

describe('LDAP doctor probe', () => {
  it('should report each server (TLS, bind, root DSE, base) and what sign-in makes of a sample name', async () => {
    const ldap = variant({
      LDAP_URL: `${d.ldapUrl} ${d.ldapsUrl} ${dead}`,
      LDAP_REQUIRED_GROUP: `cn=chat,${GROUPS_DN}`,
    });
    const report = await ldap.probe.probe('alice');
    const [startTls, ldaps, down] = report.servers;

    for (const server of [startTls, ldaps]) {
      expect(server).toMatchObject({
        reachable: true,
        bind: 'ok',
        searchBaseExists: true,
        error: undefined,
      });
      expect(server.tls).toMatchObject({
        protocol: expect.stringMatching(/^TLSv1\.[23]$/),
        cipher: expect.any(String),
        subject: 'O=rc-bridge tests, CN=localhost',
        issuer: 'O=rc-bridge tests, CN=Test Directory CA',
        subjectAltName: 'DNS:localhost, IP Address:127.0.0.1',
        fingerprint256: expect.stringMatching(
          /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/,
        ),
      });
      expect(Date.parse(server.tls!.validTo) - Date.now()).toBeLessThan(
        2 * 86_400_000,
      );
      expect(server.rootDse).toMatchObject({
        namingContexts: ['dc=example,dc=org'],
        supportsStartTls: true,
        supportedControls: expect.arrayContaining(['1.2.840.113556.1.4.319']), // paged results
        supportedExtensions: expect.arrayContaining([
          '1.3.6.1.4.1.4203.1.11.3',
        ]), // Who am I?
      });
    }
    expect(down).toMatchObject({
      url: dead,
      reachable: false,
      bind: 'not-tried',
      error: 'connection refused',
    });

    expect(report.sample).toEqual({
      username: 'alice',
      found: 'one',
      dns: [personDn('alice')],
      externalId: await d.entryUuid(personDn('alice')),
      displayName: 'Alice L.',
      email: 'alice@example.org',
      disabled: false,
      groups: [`cn=staff,${GROUPS_DN}`, `cn=chat,${GROUPS_DN}`],
      inRequiredGroup: true,
    });

    const lines = report.checks.map(
      (c) => `${c.status} ${c.id} ${c.title}: ${c.message}`,
    );
    expect(lines).toEqual([
      // The test CA signs for one day: the doctor warns about the close expiry.
      expect.stringMatching(
        new RegExp(
          `^warn ldap.server LDAP server ${d.ldapUrl}: TLSv1\\.[23] \\(.+\\); certificate O=rc-bridge tests, CN=localhost, issued by O=rc-bridge tests, CN=Test Directory CA, valid until \\d{4}-\\d\\d-\\d\\d \\([01] days\\)$`,
        ),
      ),
      `ok ldap.bind LDAP server ${d.ldapUrl}: service bind: bound as ${SERVICE_DN}`,
      expect.stringMatching(
        new RegExp(
          `^ok ldap.root-dse LDAP server ${d.ldapUrl}: root DSE: vendor not stated; naming contexts dc=example,dc=org; \\d+ controls, \\d+ extensions, StartTLS$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^warn ldap.server LDAP server ${d.ldapsUrl}: TLSv1`),
      ),
      `ok ldap.bind LDAP server ${d.ldapsUrl}: service bind: bound as ${SERVICE_DN}`,
      expect.stringMatching(
        new RegExp(`^ok ldap.root-dse LDAP server ${d.ldapsUrl}: root DSE`),
      ),
      `fail ldap.server LDAP server ${dead}: unreachable: connection refused`,
      expect.stringMatching(
        /^ok ldap.user-search LDAP user search for "alice": found uid=alice,ou=people,dc=example,dc=org, id [0-9a-f-]{36}, e-mail alice@example.org, 2 groups$/,
      ),
    ]);
    expect(report.checks.find((c) => c.status === 'fail')?.fix).toMatch(
      /Check LDAP_URL/,
    );
    expect(JSON.stringify(report)).not.toContain(SERVICE_PASSWORD);
  });

  it('should fail the bind line and skip the search when the service password is wrong', async () => {
    const report = await variant({
      LDAP_BIND_PASSWORD: 'wrong-service-password',
    }).probe.probe('alice');
    expect(report.servers[0]).toMatchObject({
      reachable: true,
      bind: 'refused',
    });
    expect(report.checks.map((c) => `${c.status} ${c.id}`)).toEqual([
      'warn ldap.server',
      'fail ldap.bind',
      'ok ldap.root-dse',
      'skip ldap.user-search',
    ]);
    expect(report.checks[1].message).toMatch(/^refused: LDAP result 49/);
    expect(JSON.stringify(report)).not.toContain('wrong-service-password');
  });

  it.each([
    [
      'nobody',
      'warn',
      /^no entry matches \(uid=\{username\}\) under ou=people,dc=example,dc=org$/,
    ],
    [
      'twin',
      'fail',
      /^several entries match \(.*\): nobody with this name can sign in$/,
    ],
    ['dave', 'warn', /; the account is disabled$/],
    ['carol', 'warn', /; not a member of LDAP_REQUIRED_GROUP$/],
  ])('should explain the sample %s', async (name, status, message) => {
    const report = await variant({
      LDAP_REQUIRED_GROUP: `cn=chat,${GROUPS_DN}`,
    }).probe.probe(name);
    const line = report.checks.find((c) => c.id === 'ldap.user-search');
    expect(line?.status).toBe(status);
    expect(line?.message).toMatch(message);
  });

  it('should warn about an unencrypted connection and flag an unreadable id attribute', async () => {
    const report = await variant({
      LDAP_STARTTLS: 'false',
      LDAP_ID_ATTRIBUTE: 'employeeNumber',
    }).probe.probe('bob');
    expect(report.servers[0].tls).toBeUndefined();
    expect(report.checks[0]).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('unencrypted'),
    });
    expect(report.checks.at(-1)).toMatchObject({
      status: 'fail',
      message: `found ${personDn('bob')}, but its employeeNumber is missing or unreadable`,
    });
  });

  it('should report a search base that does not exist', async () => {
    const report = await variant({
      LDAP_SEARCH_BASE: 'ou=nowhere,dc=example,dc=org',
    }).probe.probe();
    expect(report.checks.map((c) => `${c.status} ${c.id}`)).toContain(
      'fail ldap.search-base',
    );
    expect(report.checks.at(-1)).toMatchObject({
      status: 'skip',
      id: 'ldap.user-search',
    });
  });
});
