import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENV } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  GROUPS_DN,
  SERVICE_PASSWORD,
  startTestDirectory,
  type TestDirectory,
} from '../support/slapd.js';
import { directoryEnv } from '../identity/ldap/ldap-harness.js';
import { doctor } from './doctor-harness.js';

// The directory's doctor lines against slapd (Rocket.Chat is unreachable here: its lines fail,
// which these tests do not look at).

let d: TestDirectory;

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...TEST_ENV,
    MONGODB_URI: freshDatabaseUri('doctor_ldap').uri,
    ROCKETCHAT_URL: 'http://127.0.0.1:9',
    ...(directoryEnv(d, {
      LDAP_REQUIRED_GROUP: `cn=chat,${GROUPS_DN}`,
    }) as Record<string, string>),
    ...extra,
  };
}

beforeAll(async () => {
  d = await startTestDirectory();
});

afterAll(async () => {
  await d?.dispose();
});

describe('rc-bridge doctor: the directory', () => {
  it('should report the server with its TLS details, the service bind, the root DSE and the sign-in policy', async () => {
    const run = await doctor(env());
    const server = run.line('ldap.server');
    // The certificate made for this run expires tomorrow: a warning to renew it.
    expect(server).toMatchObject({
      status: 'warn',
      title: `LDAP server ${d.ldapUrl}`,
      fix: 'Renew the directory server certificate soon.',
    });
    expect(server?.message).toMatch(
      /^TLSv1\.[23] \(.+\); certificate .*CN=localhost.*, issued by .*CN=Test Directory CA.*, valid until \d{4}-\d\d-\d\d \([01] days\)$/,
    );
    expect(run.line('ldap.bind')).toMatchObject({
      status: 'ok',
      message: 'bound as cn=rc-bridge,ou=services,dc=example,dc=org',
    });
    expect(run.status('ldap.root-dse')).toBe('ok');
    expect(run.status('ldap.user-search')).toBe('skip');
    expect(run.line('ldap.policy')).toMatchObject({
      status: 'ok',
      message:
        'login form asks local, then ldap; a directory person may not take over the local user of the same name; ' +
        'signed-in people are checked again every 15 min; people who leave are logged out and their Rocket.Chat accounts deactivated',
    });
    expect(run.stdout).not.toContain(SERVICE_PASSWORD);
  });

  it('should run the user filter for --ldap-user and say whether the person may sign in', async () => {
    const member = await doctor(env(), ['--ldap-user', 'alice']);
    const search = member.line('ldap.user-search');
    expect(search?.status).toBe('ok');
    expect(search?.message).toContain('uid=alice,ou=people,dc=example,dc=org');
    const outsider = await doctor(env(), ['--ldap-user', 'carol']);
    expect(outsider.line('ldap.user-search')?.status).not.toBe('ok');
    expect(outsider.line('ldap.user-search')?.message).toMatch(
      /^found uid=carol,ou=people,dc=example,dc=org, .*; not a member of LDAP_REQUIRED_GROUP$/,
    );
  });

  it('should give the TLS details of an ldaps:// server, and fail readably a certificate LDAP_CA_FILE does not trust or that names another host', async () => {
    const ldaps = await doctor(env({ LDAP_URL: d.ldapsUrl }));
    expect(ldaps.line('ldap.server')?.title).toBe(`LDAP server ${d.ldapsUrl}`);
    expect(ldaps.line('ldap.server')?.message).toMatch(
      /^TLSv1\.[23] \(.+\); certificate .*CN=localhost.*, issued by .*CN=Test Directory CA.*, valid until /,
    );
    expect(ldaps.status('ldap.bind')).toBe('ok');

    const fix =
      'Check LDAP_URL, the firewall, and (for TLS failures) LDAP_CA_FILE and the host name in the certificate.';
    for (const url of [d.ldapUrl, d.ldapsUrl]) {
      const untrusted = await doctor(
        env({ LDAP_URL: url, LDAP_CA_FILE: d.pki.otherCaFile }),
      );
      expect(untrusted.line('ldap.server')).toMatchObject({
        status: 'fail',
        fix,
      });
      expect(untrusted.line('ldap.server')?.message).toMatch(
        /^unreachable: .*certificate is not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
      );
      // No service bind is tried over a connection that is not trusted.
      expect(untrusted.line('ldap.bind')).toBeUndefined();
      expect(untrusted.code).toBe(1);
    }
    const wrongName = await doctor(env({ LDAP_URL: d.ldapsWrongNameUrl }));
    expect(wrongName.line('ldap.server')).toMatchObject({
      status: 'fail',
      fix,
    });
    expect(wrongName.line('ldap.server')?.message).toMatch(
      /ERR_TLS_CERT_ALTNAME_INVALID/,
    );
  });

  it('should fail the service bind with a wrong password, without printing it', async () => {
    const run = await doctor(env({ LDAP_BIND_PASSWORD: 'Wrong-Service-Pw-1' }));
    expect(run.line('ldap.bind')?.status).toBe('fail');
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).not.toContain('Wrong-Service-Pw-1');
  });

  it('should fail an unreachable directory readably, and print nothing about LDAP without LDAP_URL', async () => {
    await d.stop();
    try {
      const run = await doctor(env());
      expect(run.line('ldap.server')).toMatchObject({
        status: 'fail',
        message: 'unreachable: connection refused',
      });
    } finally {
      await d.start();
    }
    const off = await doctor({
      ...TEST_ENV,
      MONGODB_URI: freshDatabaseUri('doctor_ldap').uri,
      ROCKETCHAT_URL: 'http://127.0.0.1:9',
    });
    expect(off.checks.filter((c) => c.id.startsWith('ldap'))).toEqual([]);
    const asked = await doctor(
      {
        ...TEST_ENV,
        MONGODB_URI: freshDatabaseUri('doctor_ldap').uri,
        ROCKETCHAT_URL: 'http://127.0.0.1:9',
      },
      ['--ldap-user', 'alice'],
    );
    expect(asked.line('ldap')).toMatchObject({
      status: 'skip',
      message: 'not configured (LDAP_URL is unset)',
    });
  });
});
