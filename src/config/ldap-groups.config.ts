import type { EnvReader } from './env.js';
import { readDn } from './ldap-env.js';
import { checkFilterTemplate } from './ldap-syntax.js';

/** Where a person's groups come from: a group search, the entry's memberOf, or nowhere. */
export type LdapGroupSource = 'search' | 'memberof' | 'off';

/** How groups are named in AuthenticatedPerson.groups: full DN, the first RDN's value, or both. */
export type LdapGroupFormat = 'dn' | 'name' | 'both';

export interface LdapGroupSettings {
  readonly source: LdapGroupSource;
  readonly searchBase: string;
  /** Template with {dn} (the person's DN) and/or {username}; AD's default walks nesting itself. */
  readonly filter: string;
  /** Rounds of "groups whose member is one of these groups" done by the bridge (0 = none). */
  readonly nestingDepth: number;
  readonly format: LdapGroupFormat;
  /** Only members of this group (DN) may sign in. */
  readonly required: string | undefined;
}

export function readGroups(
  r: EnvReader,
  searchBase: string,
  defaults: { readonly groupFilter: string; readonly nestingDepth: number },
): LdapGroupSettings {
  const source = r.oneOf<LdapGroupSource>(
    'LDAP_GROUP_SOURCE',
    ['search', 'memberof', 'off'],
    'search',
  );
  const filter = r.string('LDAP_GROUP_FILTER', {
    default: defaults.groupFilter,
  });
  const problem = checkFilterTemplate(
    filter,
    ['dn', 'username'],
    ['dn', 'username'],
  );
  if (problem !== undefined) {
    r.fail('LDAP_GROUP_FILTER', problem);
  }
  const required = readDn(r, 'LDAP_REQUIRED_GROUP', false);
  if (required !== undefined && source === 'off') {
    r.fail(
      'LDAP_REQUIRED_GROUP',
      'needs group membership: set LDAP_GROUP_SOURCE to search or memberof',
    );
  }
  return {
    source,
    searchBase: readDn(r, 'LDAP_GROUP_SEARCH_BASE', false) ?? searchBase,
    filter: filter.trim(),
    nestingDepth: r.int('LDAP_GROUP_NESTING_DEPTH', {
      default: defaults.nestingDepth,
      min: 0,
      max: 10,
    }),
    format: r.oneOf<LdapGroupFormat>(
      'LDAP_GROUP_FORMAT',
      ['dn', 'name', 'both'],
      'dn',
    ),
    required,
  };
}
