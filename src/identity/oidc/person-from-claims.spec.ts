import { describe, expect, it } from 'vitest';
import type { OidcProviderConfig } from '../../config/index.js';
import { OidcClaimsError } from './oidc.errors.js';
import { personFromClaims } from './person-from-claims.js';

const provider = {
  id: 'keycloak',
  claims: {
    username: 'preferred_username',
    email: 'email',
    name: 'name',
    groups: 'groups',
  },
} as OidcProviderConfig;

describe('personFromClaims', () => {
  it('should map the configured claims, sub as the external id', () => {
    expect(
      personFromClaims(provider, {
        sub: '248289761001',
        preferred_username: ' jane ',
        email: 'jane@example.org',
        email_verified: true,
        name: 'Jane Doe',
        groups: ['a', 'b', 'a', ''],
      }),
    ).toEqual({
      source: { kind: 'oidc', id: 'keycloak' },
      externalId: '248289761001',
      username: 'jane',
      email: 'jane@example.org',
      emailVerified: true,
      displayName: 'Jane Doe',
      groups: ['a', 'b'],
    });
  });

  it('should use other claim names when configured', () => {
    const person = personFromClaims(
      {
        ...provider,
        claims: { username: 'upn', email: 'mail', name: 'cn', groups: 'roles' },
      },
      {
        sub: 's',
        upn: 'jd@corp',
        mail: 'jd@corp.example',
        email_verified: true,
        roles: ['x'],
      },
    );
    expect(person).toMatchObject({
      username: 'jd@corp',
      email: 'jd@corp.example',
      groups: ['x'],
    });
  });

  it('should not vouch for an address unless email_verified is the boolean true', () => {
    for (const verified of ['true', 1, undefined, false]) {
      expect(
        personFromClaims(provider, {
          sub: 's',
          preferred_username: 'u',
          email: 'u@x.org',
          email_verified: verified,
        }).emailVerified,
      ).toBe(false);
    }
    expect(
      personFromClaims(provider, {
        sub: 's',
        preferred_username: 'u',
        email_verified: true,
      }).emailVerified,
    ).toBe(false);
  });

  it('should take groups only from an array of strings', () => {
    for (const groups of ['admins', [1, 2], [{ name: 'x' }], ['a', 3], null]) {
      expect(
        personFromClaims(provider, {
          sub: 's',
          preferred_username: 'u',
          groups,
        }).groups,
      ).toEqual([]);
    }
  });

  it('should refuse claims without a usable sub or user name', () => {
    expect(() =>
      personFromClaims(provider, { preferred_username: 'u' }),
    ).toThrow(OidcClaimsError);
    expect(() => personFromClaims(provider, { sub: 's' })).toThrow(
      'OpenID provider keycloak: no usable preferred_username claim (the user name; see OIDC_USERNAME_CLAIM)',
    );
    expect(() =>
      personFromClaims(provider, { sub: 's', preferred_username: 42 }),
    ).toThrow(OidcClaimsError);
    expect(() =>
      personFromClaims(provider, {
        sub: 's',
        preferred_username: 'x'.repeat(300),
      }),
    ).toThrow(OidcClaimsError);
  });
});
