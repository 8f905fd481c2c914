import { describe, expect, it } from 'vitest';
import { loadConfigSubset } from '../../config/index.js';
import {
  activeDirectoryBindRefusal,
  isDisabledByUserAccountControl,
  isExpiredAccount,
  objectGuidBytes,
  renderObjectGuid,
} from './active-directory.js';
import { stableId, stableIdAssertion } from './ldap-entry.js';
import { compileFilter, escapeFilterValue, fillFilter } from './ldap-filter.js';
import { IN_CHAIN_RULE } from './ldap-groups.js';

// Written from Microsoft's documentation: no domain controller runs in these tests.
describe('Active Directory', () => {
  describe('userAccountControl', () => {
    it.each([
      ['512', false], // NORMAL_ACCOUNT
      ['514', true], // NORMAL_ACCOUNT | ACCOUNTDISABLE
      ['66048', false], // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD
      ['66050', true], // ... | ACCOUNTDISABLE
      ['2', true],
      ['-2147483646', true], // a signed 32-bit value with bit 1 set
      ['', false],
      ['abc', false],
      [undefined, false],
    ])('should read %j as disabled=%s', (value, disabled) => {
      expect(isDisabledByUserAccountControl(value)).toBe(disabled);
    });
  });

  describe('accountExpires', () => {
    const now = Date.UTC(2026, 0, 15);
    // 2026-01-01T00:00:00Z in 100 ns ticks since 1601-01-01.
    const jan1 = (
      (BigInt(Date.UTC(2026, 0, 1)) + 11_644_473_600_000n) *
      10_000n
    ).toString();
    const feb1 = (
      (BigInt(Date.UTC(2026, 1, 1)) + 11_644_473_600_000n) *
      10_000n
    ).toString();
    it.each([
      ['0', false],
      ['9223372036854775807', false],
      [jan1, true],
      [feb1, false],
      [undefined, false],
      ['garbage', false],
    ])('should read %j as expired=%s', (value, expired) => {
      expect(isExpiredAccount(value, now)).toBe(expired);
    });
  });

  describe('objectGUID', () => {
    // The GUID structure example of Microsoft's documentation and its memory layout.
    const bytes = Buffer.from('ff19966f868b11d0b42d00c04fc964ff', 'hex');
    const text = '6f9619ff-8b86-d011-b42d-00c04fc964ff';

    it('should render the canonical string (first three fields little-endian)', () => {
      expect(renderObjectGuid(bytes)).toBe(text);
      expect(renderObjectGuid(Buffer.alloc(15))).toBeUndefined();
    });

    it('should turn the string back into the bytes, braces and case aside', () => {
      expect(objectGuidBytes(text)?.equals(bytes)).toBe(true);
      expect(objectGuidBytes(`{${text.toUpperCase()}}`)?.equals(bytes)).toBe(
        true,
      );
      expect(objectGuidBytes('not-a-guid')).toBeUndefined();
    });

    it('should take the stable id from objectGUID, even when the bytes came decoded as text', () => {
      expect(stableId({ dn: 'x', objectGUID: bytes }, 'objectGUID')).toBe(text);
      const utf8Guid = Buffer.from('41424344454647484950515253545556', 'hex');
      expect(
        stableId(
          { dn: 'x', objectGUID: utf8Guid.toString('utf8') },
          'objectGUID',
        ),
      ).toBe(renderObjectGuid(utf8Guid));
    });

    it('should search for an objectGUID by its escaped bytes', () => {
      const assertion = stableIdAssertion('objectGUID', text);
      // Printable bytes may stay as they are (RFC 4515); all others are escaped.
      expect(fillFilter('(objectGUID={id})', { id: assertion! })).toBe(
        '(objectGUID=\\ff\\19\\96o\\86\\8b\\11\\d0\\b4-\\00\\c0O\\c9d\\ff)',
      );
    });
  });

  describe('bind errors', () => {
    it.each([
      [
        '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563',
        'wrong-password',
      ],
      [
        '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 533, v4563',
        'disabled',
      ],
      [
        '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563',
        'locked',
      ],
      [
        '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 532, v4563',
        'password-expired',
      ],
      [
        '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 701, v4563',
        'account-expired',
      ],
      [
        '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 773, v4563',
        'must-change-password',
      ],
      [
        '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 530, v4563',
        'logon-restricted',
      ],
      ['', undefined],
      ['Invalid credentials', undefined],
    ])('should read %j as %s', (message, refusal) => {
      expect(activeDirectoryBindRefusal(message)).toBe(refusal);
    });
  });

  describe('flavour defaults (LDAP_FLAVOR=ad)', () => {
    const env = {
      LDAP_URL: 'ldaps://dc1.corp.example.org',
      LDAP_FLAVOR: 'ad',
      LDAP_SEARCH_BASE: 'DC=corp,DC=example,DC=org',
      LDAP_BIND_DN:
        'CN=rc-bridge,OU=Service Accounts,DC=corp,DC=example,DC=org',
      LDAP_BIND_PASSWORD: 'x',
    };

    it('should search sAMAccountName among people and groups with the in-chain rule', () => {
      const ldap = loadConfigSubset(env, ['ldap']).ldap!;
      expect(ldap.enabled && ldap.userFilter).toBe(
        '(&(objectCategory=person)(objectClass=user)(sAMAccountName={username}))',
      );
      expect(ldap.enabled && ldap.attributes.id).toBe('objectGUID');
      expect(ldap.enabled && ldap.groups.filter).toBe(
        `(&(objectClass=group)(member:${IN_CHAIN_RULE}:={dn}))`,
      );
      expect(ldap.enabled && ldap.groups.nestingDepth).toBe(0);
    });

    it('should build the user filter from userPrincipalName when that is the name attribute', () => {
      const ldap = loadConfigSubset(
        { ...env, LDAP_USERNAME_ATTRIBUTE: 'userPrincipalName' },
        ['ldap'],
      ).ldap!;
      const filter = fillFilter(ldap.enabled ? ldap.userFilter : '', {
        username: 'alice@corp.example.org',
      });
      expect(filter).toBe(
        '(&(objectCategory=person)(objectClass=user)(userPrincipalName=alice@corp.example.org))',
      );
    });

    it('should escape the person DN in the in-chain group filter', () => {
      const dn = 'CN=Smith\\, John (IT),OU=People,DC=corp,DC=example,DC=org';
      const text = fillFilter(
        `(&(objectClass=group)(member:${IN_CHAIN_RULE}:={dn}))`,
        { dn },
      );
      expect(text).toContain(`:=${escapeFilterValue(dn)})`);
      const filter = compileFilter(text);
      expect(filter.toString()).toContain('CN=Smith\\5c, John \\28IT\\29');
    });
  });
});
