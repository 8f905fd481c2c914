import { describe, expect, it } from 'vitest';
import { groupKey, normaliseDn, sameGroup } from './group-names.js';

describe('group names', () => {
  it('should compare DNs as Active Directory and OpenLDAP do: case, spaces and escapes aside', () => {
    const dn = 'cn=Engineering,ou=Groups,dc=example,dc=org';
    for (const same of [
      'CN=engineering,OU=groups,DC=EXAMPLE,DC=ORG',
      'cn = Engineering , ou=Groups, dc=example,dc=org',
      'cn=\\45ngineering,ou=Groups,dc=example,dc=org',
      'cn="Engineering",ou=Groups,dc=example,dc=org',
    ]) {
      expect(sameGroup(dn, same)).toBe(true);
    }
    expect(sameGroup(dn, 'cn=Engineering,ou=Other,dc=example,dc=org')).toBe(
      false,
    );
    expect(sameGroup(dn, 'cn=Engineering')).toBe(false);
  });

  it('should keep escaped separators and multi-valued RDNs in any order', () => {
    expect(normaliseDn('cn=Smith\\, John,ou=People')).toBe(
      'cn=smith, john,ou=people',
    );
    expect(sameGroup('cn=A+uid=b,dc=x', 'UID=B+CN=a,dc=x')).toBe(true);
    expect(sameGroup('cn=Sales  Team,dc=x', 'cn=sales team,dc=x')).toBe(true);
    expect(normaliseDn('cn=caf\\C3\\A9,dc=x')).toBe('cn=café,dc=x');
  });

  it('should compare any other name exactly, case included', () => {
    expect(groupKey('/engineering/backend')).toBe('name:/engineering/backend');
    expect(sameGroup('Admins', 'Admins')).toBe(true);
    expect(sameGroup('Admins', 'admins')).toBe(false);
    expect(sameGroup('Domain Users', 'domain users')).toBe(false);
    expect(sameGroup('cn=Admins', 'Admins')).toBe(false);
    for (const notDn of [
      'Domain Users',
      '=x',
      'cn=',
      'a=b\\',
      'cn="x',
      '1=x',
    ]) {
      expect(normaliseDn(notDn)).toBeUndefined();
    }
  });
});
