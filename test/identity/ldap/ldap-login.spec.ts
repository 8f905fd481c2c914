import { Global, Module } from '@nestjs/common';
import { getConfigToken } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigSubset } from '../../../src/config/index.js';
import {
  LdapAuthenticator,
  LdapConfigurationError,
  LdapModule,
  LdapUnavailableError,
} from '../../../src/identity/ldap/index.js';
import { LdapPool } from '../../../src/identity/ldap/ldap-pool.service.js';
import {
  GROUPS_DN,
  PEOPLE_DN,
  personDn,
  startTestDirectory,
  type TestDirectory,
} from '../../support/slapd.js';
import {
  directoryEnv,
  ldapFromEnv,
  type LdapUnderTest,
} from './ldap-harness.js';

const CHAT = `cn=chat,${GROUPS_DN}`;
const STAFF = `cn=staff,${GROUPS_DN}`;

let d: TestDirectory;
let ldap: LdapUnderTest;
const opened: LdapUnderTest[] = [];

function variant(extra: Record<string, string>): LdapUnderTest {
  const created = ldapFromEnv(directoryEnv(d, extra));
  opened.push(created);
  return created;
}

beforeAll(async () => {
  d = await startTestDirectory();
  ldap = variant({});
});

afterAll(async () => {
  await Promise.all(opened.map((l) => l.close()));
  await d?.dispose();
});

/** slapd's connection numbers on which this DN bound. */
function bindConnections(dn: string): string[] {
  const pattern = new RegExp(
    `conn=(\\d+) op=\\d+ BIND dn="${dn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" method=128`,
    'gi',
  );
  return [...d.log().matchAll(pattern)].map((m) => m[1]);
}

describe('LDAP sign-in against slapd', () => {
  it('should sign in over StartTLS with the CA verified, as an AuthenticatedPerson', async () => {
    const result = await ldap.auth.login('alice', 'alice-pw-1');
    expect(result).toEqual({
      ok: true,
      dn: personDn('alice'),
      server: d.ldapUrl,
      person: {
        source: { kind: 'ldap', id: 'ldap' },
        externalId: await d.entryUuid(personDn('alice')),
        username: 'alice',
        email: 'alice@example.org',
        emailVerified: true,
        displayName: 'Alice L.',
        groups: [STAFF, CHAT],
      },
    });
    // The password travelled inside TLS: slapd saw StartTLS and a bind with a security factor.
    expect(d.log()).toContain('EXT oid=1.3.6.1.4.1.1466.20037');
    expect(d.log()).toMatch(
      /BIND dn="uid=alice,ou=people,dc=example,dc=org" mech=SIMPLE bind_ssf=0 ssf=(?!0\b)\d+/,
    );
  });

  it('should bind as the person on a connection of its own, never on a pooled search connection', async () => {
    await ldap.auth.login('bob', 'bob-pw-1');
    const connections = bindConnections(personDn('bob'));
    expect(connections.length).toBeGreaterThan(0);
    for (const conn of connections) {
      expect(d.log()).not.toMatch(new RegExp(`conn=${conn} op=\\d+ SRCH`));
    }
  });

  it('should sign in over ldaps:// with the CA verified', async () => {
    const over = variant({ LDAP_URL: d.ldapsUrl });
    const result = await over.auth.login('alice', 'alice-pw-1');
    expect(result).toMatchObject({ ok: true, server: d.ldapsUrl });
  });

  it.each([
    ['StartTLS', 'ldapUrl'],
    ['ldaps', 'ldapsUrl'],
  ] as const)(
    'should fail closed with a CA that did not sign the certificate (%s), sending no password',
    async (_, url) => {
      const before = d.bindsFor(personDn('alice'));
      for (const caFile of [d.pki.otherCaFile, undefined]) {
        const wrong = variant({ LDAP_URL: d[url], LDAP_CA_FILE: caFile ?? '' });
        const error = await wrong.auth
          .login('alice', 'alice-pw-1')
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(LdapUnavailableError);
        expect((error as Error).message).toMatch(
          /certificate is not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
        );
      }
      expect(d.bindsFor(personDn('alice'))).toBe(before);
    },
  );

  it('should fail closed when the certificate does not name the host', async () => {
    const wrong = variant({ LDAP_URL: d.ldapsWrongNameUrl });
    await expect(wrong.auth.login('alice', 'alice-pw-1')).rejects.toThrow(
      /ERR_TLS_CERT_ALTNAME_INVALID/,
    );
  });

  it('should refuse a wrong password and an unknown user, keeping the reason', async () => {
    expect(await ldap.auth.login('alice', 'wrong')).toEqual({
      ok: false,
      refusal: 'wrong-password',
      dn: personDn('alice'),
    });
    expect(await ldap.auth.login('nobody', 'whatever')).toEqual({
      ok: false,
      refusal: 'unknown-user',
    });
  });

  it('should refuse an empty password before any bind, which slapd would have accepted', async () => {
    const binds = d.bindsFor(personDn('alice'));
    const searches = d.log().split(' SRCH ').length;
    expect(await ldap.auth.login('alice', '')).toEqual({
      ok: false,
      refusal: 'empty-password',
    });
    expect(d.bindsFor(personDn('alice'))).toBe(binds);
    expect(d.log().split(' SRCH ').length).toBe(searches);
    // What the refusal prevents: an "unauthenticated" simple bind succeeds on this server.
    const raw = new Client({ url: d.ldapUrl });
    await expect(raw.bind(personDn('alice'), '')).resolves.toBeUndefined();
    await raw.unbind();
  });

  it.each([
    '*',
    ')(uid=*',
    '*)(|(uid=*',
    'alice)(|(objectClass=*',
    'al*',
    '*ice',
    '\\2a',
    '\\61lice',
    'alice\u0000',
    'alice\u0000)(uid=*',
    '(uid=alice)',
  ])('should never let the typed name %j match anyone else', async (typed) => {
    const before = d.bindsFor(personDn('alice'));
    expect(await ldap.auth.login(typed, 'alice-pw-1')).toEqual({
      ok: false,
      refusal: 'unknown-user',
    });
    expect(d.bindsFor(personDn('alice'))).toBe(before);
  });

  it('should match names with filter characters and non-ASCII letters exactly', async () => {
    expect(await ldap.auth.login('star*man', 'star*man-pw-1')).toMatchObject({
      ok: true,
      person: { username: 'star*man' },
    });
    expect(await ldap.auth.login('star*', 'star*man-pw-1')).toEqual({
      ok: false,
      refusal: 'unknown-user',
    });
    expect(await ldap.auth.login('josé', 'josé-pw-1')).toMatchObject({
      ok: true,
      person: { username: 'josé', displayName: 'José Núñez' },
    });
    expect(await ldap.auth.login('jose', 'josé-pw-1')).toEqual({
      ok: false,
      refusal: 'unknown-user',
    });
  });

  it('should take the login name as the directory spells it', async () => {
    expect(await ldap.auth.login('ALICE', 'alice-pw-1')).toMatchObject({
      ok: true,
      person: { username: 'alice' },
    });
  });

  it('should refuse a name that matches several entries, binding as neither', async () => {
    const before =
      d.bindsFor(personDn('twin')) +
      d.bindsFor(personDn('twin', `ou=contractors,${PEOPLE_DN}`));
    expect(await ldap.auth.login('twin', 'twin-pw-1')).toEqual({
      ok: false,
      refusal: 'ambiguous-user',
    });
    expect(
      d.bindsFor(personDn('twin')) +
        d.bindsFor(personDn('twin', `ou=contractors,${PEOPLE_DN}`)),
    ).toBe(before);
  });

  it('should refuse a person locked by an administrator (ppolicy), before binding', async () => {
    const before = d.bindsFor(personDn('dave'));
    expect(await ldap.auth.login('dave', 'dave-pw-1')).toEqual({
      ok: false,
      refusal: 'disabled',
      dn: personDn('dave'),
    });
    expect(d.bindsFor(personDn('dave'))).toBe(before);
  });

  it('should fall back to cn for the display name and vouch only for an address that exists', async () => {
    expect(await ldap.auth.login('bob', 'bob-pw-1')).toMatchObject({
      ok: true,
      person: {
        displayName: 'Bob Builder',
        email: 'bob@example.org',
        emailVerified: true,
        groups: [CHAT],
      },
    });
    const carol = await ldap.auth.login('carol', 'carol-pw-1');
    expect(carol.ok && carol.person.email).toBeUndefined();
    expect(carol.ok && carol.person.emailVerified).toBe(false);
    // uniqueMember groups count, and a membership cycle lists each group once
    expect(carol.ok && [...carol.person.groups].sort()).toEqual(
      [
        `cn=loop-a,${GROUPS_DN}`,
        `cn=loop-b,${GROUPS_DN}`,
        `cn=ops,${GROUPS_DN}`,
      ].sort(),
    );
  });

  describe('LDAP_REQUIRED_GROUP', () => {
    it('should admit direct and nested members only (nesting followed by the bridge on OpenLDAP)', async () => {
      const gated = variant({ LDAP_REQUIRED_GROUP: CHAT });
      expect(await gated.auth.login('bob', 'bob-pw-1')).toMatchObject({
        ok: true,
      });
      expect(await gated.auth.login('alice', 'alice-pw-1')).toMatchObject({
        ok: true,
      });
      expect(await gated.auth.login('carol', 'carol-pw-1')).toEqual({
        ok: false,
        refusal: 'not-in-group',
        dn: personDn('carol'),
      });
      // the password is checked before the group: a wrong one stays a wrong password
      expect(await gated.auth.login('carol', 'nope')).toMatchObject({
        refusal: 'wrong-password',
      });
    });

    it('should admit direct members only without nesting', async () => {
      const flat = variant({
        LDAP_REQUIRED_GROUP: CHAT,
        LDAP_GROUP_NESTING_DEPTH: '0',
      });
      expect(await flat.auth.login('bob', 'bob-pw-1')).toMatchObject({
        ok: true,
      });
      expect(await flat.auth.login('alice', 'alice-pw-1')).toMatchObject({
        ok: false,
        refusal: 'not-in-group',
      });
    });

    it('should use memberOf as the dynlist overlay computes it, nested groups included', async () => {
      const viaMemberOf = variant({
        LDAP_GROUP_SOURCE: 'memberof',
        LDAP_REQUIRED_GROUP: 'CN=Chat, OU=Groups, DC=example, DC=org',
      });
      expect(await viaMemberOf.auth.login('alice', 'alice-pw-1')).toMatchObject(
        { ok: true, person: { groups: [STAFF, CHAT] } },
      );
      expect(await viaMemberOf.auth.login('carol', 'carol-pw-1')).toMatchObject(
        { ok: false, refusal: 'not-in-group' },
      );
    });
  });

  it('should name groups by their cn when asked', async () => {
    expect(
      await variant({ LDAP_GROUP_FORMAT: 'name' }).auth.login(
        'alice',
        'alice-pw-1',
      ),
    ).toMatchObject({
      person: { groups: ['staff', 'chat'] },
    });
    expect(
      await variant({ LDAP_GROUP_FORMAT: 'both' }).auth.login(
        'alice',
        'alice-pw-1',
      ),
    ).toMatchObject({
      person: { groups: [STAFF, CHAT, 'staff', 'chat'] },
    });
  });

  it('should answer an unknown name, a locked person and a non-member about as slowly as a wrong password (medians, interleaved)', async () => {
    const timed = variant({ LDAP_REQUIRED_GROUP: CHAT });
    // Before anything was timed, a stand-in bind makes even the first unknown name slow.
    const first = performance.now();
    expect(await timed.auth.login('nobody-here', 'x')).toMatchObject({
      refusal: 'unknown-user',
    });
    const firstMs = performance.now() - first;
    const cases: Record<string, [string, string, string]> = {
      wrongPassword: ['alice', 'wrong', 'wrong-password'],
      unknown: ['nobody-at-all', 'alice-pw-1', 'unknown-user'],
      locked: ['dave', 'dave-pw-1', 'disabled'],
      notInGroup: ['carol', 'carol-pw-1', 'not-in-group'],
    };
    const samples: Record<string, number[]> = Object.fromEntries(
      Object.keys(cases).map((k) => [k, []]),
    );
    for (let round = 0; round < 15; round += 1) {
      for (const [name, [username, password, refusal]] of Object.entries(
        cases,
      )) {
        const started = performance.now();
        const result = await timed.auth.login(username, password);
        samples[name].push(performance.now() - started);
        expect(result).toMatchObject({ ok: false, refusal });
      }
    }
    const median = (values: number[]): number =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const reference = median(samples.wrongPassword);
    const ratios = Object.fromEntries(
      Object.entries(samples).map(([name, values]) => [
        name,
        Math.round((median(values) / reference) * 100) / 100,
      ]),
    );
    // Unpadded, an unknown name and a locked person take a search only (~5x faster here).
    for (const [name, ratio] of Object.entries(ratios)) {
      expect({
        name,
        ratio,
        tooFast: ratio < 0.6,
        tooSlow: ratio > 2.5,
      }).toMatchObject({ name, tooFast: false, tooSlow: false });
    }
    expect(firstMs).toBeGreaterThan(reference * 0.4);
  });

  it('should refuse malformed input without asking the directory', async () => {
    expect(await ldap.auth.login('a'.repeat(257), 'x')).toEqual({
      ok: false,
      refusal: 'malformed-input',
    });
    expect(await ldap.auth.login('alice', 'x'.repeat(1025))).toEqual({
      ok: false,
      refusal: 'malformed-input',
    });
    expect(await ldap.auth.login(['alice'], 'alice-pw-1')).toEqual({
      ok: false,
      refusal: 'malformed-input',
    });
  });

  it('should be wired by LdapModule from the ldap config namespace', async () => {
    const config = loadConfigSubset(directoryEnv(d), ['ldap']).ldap;
    @Global()
    @Module({
      providers: [{ provide: getConfigToken('ldap'), useValue: config }],
      exports: [getConfigToken('ldap')],
    })
    class LdapConfigForTest {}
    const moduleRef = await Test.createTestingModule({
      imports: [LdapConfigForTest, LdapModule],
    }).compile();
    await moduleRef.init();
    try {
      expect(
        await moduleRef.get(LdapAuthenticator).login('bob', 'bob-pw-1'),
      ).toMatchObject({ ok: true });
      expect(moduleRef.get(LdapAuthenticator).enabled).toBe(true);
      expect(moduleRef.get(LdapPool).openConnections).toBeGreaterThan(0);
    } finally {
      await moduleRef.close();
    }
    // closing the application closes the pooled connections
    expect(moduleRef.get(LdapPool).openConnections).toBe(0);
  });

  it('should stay off, refusing to run, without LDAP_URL', async () => {
    const pool = new LdapPool({ enabled: false });
    const off = new LdapAuthenticator(pool);
    expect(off.enabled).toBe(false);
    await expect(off.login('alice', 'alice-pw-1')).rejects.toThrow(
      'The directory configuration does not work: LDAP sign-in is not configured (LDAP_URL)',
    );
    await expect(off.lookup({ username: 'alice' })).rejects.toBeInstanceOf(
      LdapConfigurationError,
    );
  });
});
