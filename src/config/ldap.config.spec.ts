import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigSubset } from './configuration.js';
import { ConfigValidationError, type Env } from './env.js';
import type { LdapSettings } from './ldap.config.js';

const MINIMAL: Env = {
  LDAP_URL: 'ldaps://ldap.example.org',
  LDAP_SEARCH_BASE: 'ou=people,dc=example,dc=org',
  LDAP_BIND_DN: 'cn=rc-bridge,ou=services,dc=example,dc=org',
  LDAP_BIND_PASSWORD: 'Service-Secret-42',
};

const dir = mkdtempSync(join(tmpdir(), 'ldap-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function settings(env: Env): LdapSettings {
  const ldap = loadConfigSubset(env, ['ldap']).ldap!;
  if (!ldap.enabled) {
    throw new Error('expected LDAP to be on');
  }
  return ldap;
}

function problems(env: Env): string[] {
  try {
    loadConfigSubset(env, ['ldap']);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return error.problems.map((p) => `${p.variable}: ${p.rule}`);
    }
    throw error;
  }
  return [];
}

describe('ldap configuration', () => {
  it('should be off without LDAP_URL', () => {
    expect(loadConfigSubset({}, ['ldap']).ldap).toEqual({ enabled: false });
    // compose passes every variable, unset ones as empty strings
    expect(
      loadConfigSubset({ LDAP_URL: '', LDAP_BIND_DN: '' }, ['ldap']).ldap,
    ).toEqual({ enabled: false });
  });

  it('should refuse LDAP settings without LDAP_URL, naming one of them', () => {
    expect(problems({ LDAP_SEARCH_BASE: 'dc=example,dc=org' })).toEqual([
      'LDAP_URL: is required when LDAP_SEARCH_BASE is set',
    ]);
    expect(problems({ LDAP_BIND_PASSWORD_FILE: '/run/secrets/ldap' })).toEqual([
      'LDAP_URL: is required when LDAP_BIND_PASSWORD is set',
    ]);
  });

  it('should apply the OpenLDAP defaults', () => {
    const s = settings(MINIMAL);
    expect(s.flavor).toBe('openldap');
    expect(s.servers).toEqual([
      {
        url: 'ldaps://ldap.example.org:636',
        scheme: 'ldaps',
        host: 'ldap.example.org',
        port: 636,
      },
    ]);
    expect(s.startTls).toBe(true);
    expect(s.userFilter).toBe('(uid={username})');
    expect(s.attributes).toEqual({
      username: 'uid',
      displayName: ['displayName', 'cn'],
      email: 'mail',
      id: 'entryUUID',
    });
    expect(s.groups).toEqual({
      source: 'search',
      searchBase: 'ou=people,dc=example,dc=org',
      filter: '(|(member={dn})(uniqueMember={dn}))',
      nestingDepth: 2,
      format: 'dn',
      required: undefined,
    });
    expect(s.connectTimeoutMs).toBe(5000);
    expect(s.timeoutMs).toBe(5000);
    expect(s.poolSize).toBe(4);
    expect(s.recheckIntervalMs).toBe(900_000);
    expect(s.bind).toEqual({
      dn: 'cn=rc-bridge,ou=services,dc=example,dc=org',
      password: 'Service-Secret-42',
    });
  });

  it('should read several servers, separated by spaces or commas, in failover order', () => {
    const s = settings({
      ...MINIMAL,
      LDAP_URL:
        'ldaps://DC1.example.org:3269, ldap://dc2.example.org  ldap://[::1]:1389',
    });
    expect(s.servers.map((x) => x.url)).toEqual([
      'ldaps://dc1.example.org:3269',
      'ldap://dc2.example.org:389',
      'ldap://[::1]:1389',
    ]);
  });

  it.each([
    [
      'http://ldap.example.org',
      'must be ldaps://host[:port] or ldap://host[:port]',
    ],
    ['ldap://ldap.example.org/dc=example,dc=org?uid', 'must name servers only'],
    [
      'ldaps://admin:pw@ldap.example.org',
      'must not contain a user name or password',
    ],
  ])('should refuse LDAP_URL=%s', (url, rule) => {
    const lines = problems({ ...MINIMAL, LDAP_URL: url });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^LDAP_URL: ${rule.replace(/[[\]]/g, '\\$&')}`),
    );
    expect(lines[0]).not.toContain('pw@');
  });

  it('should allow StartTLS off only for servers on this machine, or with the explicit opt-in', () => {
    expect(
      problems({
        ...MINIMAL,
        LDAP_URL: 'ldap://127.0.0.1:389',
        LDAP_STARTTLS: 'false',
      }),
    ).toEqual([]);
    expect(
      problems({
        ...MINIMAL,
        LDAP_URL: 'ldap://localhost ldap://[::1]',
        LDAP_STARTTLS: 'false',
      }),
    ).toEqual([]);
    expect(
      problems({
        ...MINIMAL,
        LDAP_URL: 'ldap://localhost ldap://dc2.example.org',
        LDAP_STARTTLS: 'false',
      }),
    ).toEqual([
      expect.stringMatching(
        /^LDAP_STARTTLS: may be false only when every ldap:\/\/ server is on this machine/,
      ),
    ]);
    expect(
      problems({
        ...MINIMAL,
        LDAP_URL: 'ldap://dc2.example.org',
        LDAP_STARTTLS: 'false',
        LDAP_ALLOW_PLAINTEXT: 'true',
      }),
    ).toEqual([]);
    // ldaps:// servers are encrypted whatever LDAP_STARTTLS says
    expect(problems({ ...MINIMAL, LDAP_STARTTLS: 'false' })).toEqual([]);
  });

  it('should read the CA file at start-up and refuse what is not a certificate', () => {
    const good = join(dir, 'ca.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=Test CA',
        '-keyout',
        join(dir, 'ca.key'),
        '-out',
        good,
      ],
      { stdio: 'ignore' },
    );
    expect(settings({ ...MINIMAL, LDAP_CA_FILE: good }).caPem).toBe(
      readFileSync(good, 'utf8'),
    );
    const bad = join(dir, 'bad.pem');
    writeFileSync(bad, 'hello');
    expect(problems({ ...MINIMAL, LDAP_CA_FILE: bad })).toEqual([
      'LDAP_CA_FILE: must hold PEM certificates (BEGIN CERTIFICATE)',
    ]);
    expect(
      problems({ ...MINIMAL, LDAP_CA_FILE: join(dir, 'missing.pem') }),
    ).toEqual(['LDAP_CA_FILE: names a file that cannot be read (ENOENT)']);
  });

  it('should want both halves of the service account, and allow neither (anonymous search)', () => {
    expect(problems({ ...MINIMAL, LDAP_BIND_PASSWORD: undefined })).toEqual([
      'LDAP_BIND_PASSWORD: is required with LDAP_BIND_DN (a bind without a password is anonymous)',
    ]);
    expect(problems({ ...MINIMAL, LDAP_BIND_DN: undefined })).toEqual([
      'LDAP_BIND_DN: is required with LDAP_BIND_PASSWORD',
    ]);
    expect(
      settings({
        ...MINIMAL,
        LDAP_BIND_DN: undefined,
        LDAP_BIND_PASSWORD: undefined,
      }).bind,
    ).toBeUndefined();
    const file = join(dir, 'bind-password');
    writeFileSync(file, 'from-a-file\n');
    expect(
      settings({
        ...MINIMAL,
        LDAP_BIND_PASSWORD: undefined,
        LDAP_BIND_PASSWORD_FILE: file,
      }).bind?.password,
    ).toBe('from-a-file');
  });

  it('should report one line per problem, never a value', () => {
    const lines = problems({
      LDAP_URL: 'ldap://dc.example.org',
      LDAP_STARTTLS: 'maybe',
      LDAP_FLAVOR: 'novell',
      LDAP_BIND_DN: 'Service-Secret-42',
      LDAP_BIND_PASSWORD: 'Service-Secret-42',
      LDAP_USER_FILTER: 'uid={username}',
      LDAP_GROUP_FILTER: '(member={person})',
      LDAP_USERNAME_ATTRIBUTE: 'u id',
      LDAP_DISPLAY_NAME_ATTRIBUTES: 'cn,display name',
      LDAP_GROUP_SOURCE: 'nis',
      LDAP_GROUP_FORMAT: 'short',
      LDAP_REQUIRED_GROUP: 'chat',
      LDAP_TIMEOUT: '5 minutes',
      LDAP_CONNECT_TIMEOUT: '0',
      LDAP_POOL_SIZE: '100',
      LDAP_GROUP_NESTING_DEPTH: '11',
      LDAP_RECHECK_INTERVAL: '1s',
    });
    expect(lines).toEqual([
      'LDAP_FLAVOR: must be one of: openldap, ad',
      'LDAP_STARTTLS: must be true or false',
      'LDAP_SEARCH_BASE: is required',
      'LDAP_USERNAME_ATTRIBUTE: must be an attribute name such as uid, or an OID',
      'LDAP_USER_FILTER: must be an LDAP filter in parentheses, such as (uid={username})',
      'LDAP_BIND_DN: must be a distinguished name such as ou=people,dc=example,dc=org',
      'LDAP_DISPLAY_NAME_ATTRIBUTES: must be attribute names separated by commas',
      'LDAP_GROUP_SOURCE: must be one of: search, memberof, off',
      'LDAP_GROUP_FILTER: may only use the placeholders {dn} and {username}',
      'LDAP_REQUIRED_GROUP: must be a distinguished name such as ou=people,dc=example,dc=org',
      'LDAP_GROUP_NESTING_DEPTH: must be at most 10',
      'LDAP_GROUP_FORMAT: must be one of: dn, name, both',
      'LDAP_CONNECT_TIMEOUT: must be at least 100ms',
      'LDAP_TIMEOUT: must be a duration such as 500ms, 30s, 15m, 12h or 7d',
      'LDAP_POOL_SIZE: must be at most 32',
      'LDAP_RECHECK_INTERVAL: must be at least 5s',
    ]);
    expect(lines.join('\n')).not.toContain('Service-Secret-42');
  });

  it.each([
    ['(uid=x)', 'must contain {username}'],
    ['(&(uid={username})', 'is not a valid LDAP filter'],
    ['(uid={username}))', 'is not a valid LDAP filter'],
    ['(uid={username})(cn=x)', 'is not a valid LDAP filter'],
  ])('should refuse LDAP_USER_FILTER=%s', (filter, rule) => {
    expect(problems({ ...MINIMAL, LDAP_USER_FILTER: filter })[0]).toContain(
      `LDAP_USER_FILTER: ${rule}`,
    );
  });

  it('should accept a group filter on the login name (posixGroup memberUid) and memberOf groups', () => {
    const s = settings({
      ...MINIMAL,
      LDAP_GROUP_FILTER: '(&(objectClass=posixGroup)(memberUid={username}))',
      LDAP_GROUP_SOURCE: 'memberof',
      LDAP_REQUIRED_GROUP: 'cn=chat,ou=groups,dc=example,dc=org',
      LDAP_GROUP_FORMAT: 'both',
    });
    expect(s.groups.source).toBe('memberof');
    expect(s.groups.required).toBe('cn=chat,ou=groups,dc=example,dc=org');
  });

  it('should refuse a required group when groups are off', () => {
    expect(
      problems({
        ...MINIMAL,
        LDAP_GROUP_SOURCE: 'off',
        LDAP_REQUIRED_GROUP: 'cn=chat,dc=example,dc=org',
      }),
    ).toEqual([
      'LDAP_REQUIRED_GROUP: needs group membership: set LDAP_GROUP_SOURCE to search or memberof',
    ]);
  });
});

describe('ldap policy (login form sources, linking, deprovisioning)', () => {
  it('should ask the bridge first and the directory second, link nobody by name and deactivate by default', () => {
    expect(settings(MINIMAL).policy).toEqual({
      passwordSources: ['local', 'ldap'],
      linkByUsername: false,
      deprovision: 'deactivate',
    });
  });

  it('should take another order, one source, linking by name and the logout policy', () => {
    expect(
      settings({
        ...MINIMAL,
        LOGIN_PASSWORD_SOURCES: ' LDAP , local',
        LDAP_LINK_BY_USERNAME: 'true',
        LDAP_DEPROVISION: 'logout',
      }).policy,
    ).toEqual({
      passwordSources: ['ldap', 'local'],
      linkByUsername: true,
      deprovision: 'logout',
    });
    expect(
      settings({ ...MINIMAL, LOGIN_PASSWORD_SOURCES: 'ldap' }).policy
        .passwordSources,
    ).toEqual(['ldap']);
  });

  it.each(['oidc', 'local,local', ',', 'local;ldap'])(
    'should refuse LOGIN_PASSWORD_SOURCES=%s',
    (value) => {
      expect(problems({ ...MINIMAL, LOGIN_PASSWORD_SOURCES: value })).toEqual([
        'LOGIN_PASSWORD_SOURCES: must list local and/or ldap, separated by commas, each once (for example local,ldap)',
      ]);
    },
  );

  it('should refuse ldap among the sources without LDAP_URL, and accept local alone', () => {
    expect(problems({ LOGIN_PASSWORD_SOURCES: 'local,ldap' })).toEqual([
      'LOGIN_PASSWORD_SOURCES: names ldap, but LDAP_URL is not set',
    ]);
    expect(problems({ LOGIN_PASSWORD_SOURCES: 'local' })).toEqual([]);
  });

  it('should refuse an unknown deprovisioning policy', () => {
    expect(problems({ ...MINIMAL, LDAP_DEPROVISION: 'delete' })).toEqual([
      'LDAP_DEPROVISION: must be one of: deactivate, logout',
    ]);
  });
});
