import type { Entry } from 'ldapts';
import type {
  LdapGroupFormat,
  LdapGroupSettings,
  LdapSettings,
} from '../../config/index.js';
import type { LdapConnection } from './ldap-connection.js';
import { firstRdnValue, normaliseDn, textValues } from './ldap-entry.js';
import { compileFilter, escapeFilterValue, fillFilter } from './ldap-filter.js';

/** Groups per nesting query, so one filter stays a reasonable size. */
const NESTING_BATCH = 50;
/** AD's default MaxPageSize is 1000; pages keep large group lists whole. */
const PAGE_SIZE = 500;

/** LDAP_MATCHING_RULE_IN_CHAIN: AD evaluates group membership transitively. */
export const IN_CHAIN_RULE = '1.2.840.113556.1.4.1941';

export interface PersonRef {
  readonly dn: string;
  readonly username: string;
  readonly entry: Entry;
}

/**
 * The DNs of the person's groups, each once:
 * - `memberof`: the entry's memberOf values (AD: direct groups only; OpenLDAP: what the memberof
 *   or dynlist overlay computes, nested with dynlist's `memberOf@groupOfNames*`).
 * - `search`: groups matching LDAP_GROUP_FILTER, then LDAP_GROUP_NESTING_DEPTH rounds of groups
 *   that have one of those groups as a member (cycles are harmless: each group counts once).
 */
export async function resolveGroups(
  connection: LdapConnection,
  settings: LdapSettings,
  person: PersonRef,
): Promise<string[]> {
  const groups = settings.groups;
  if (groups.source === 'off') {
    return [];
  }
  if (groups.source === 'memberof') {
    return unique(textValues(person.entry, 'memberOf'));
  }
  const found = new Map<string, string>();
  let frontier = await searchGroups(
    connection,
    groups,
    fillFilter(groups.filter, { dn: person.dn, username: person.username }),
  );
  const nests = groups.filter.includes('{dn}');
  for (let depth = 0; frontier.length > 0; depth += 1) {
    const fresh = frontier.filter((dn) => !found.has(normaliseDn(dn)));
    for (const dn of fresh) {
      found.set(normaliseDn(dn), dn);
    }
    if (!nests || depth >= groups.nestingDepth || fresh.length === 0) {
      break;
    }
    frontier = [];
    for (let i = 0; i < fresh.length; i += NESTING_BATCH) {
      const batch = fresh.slice(i, i + NESTING_BATCH);
      const parts = batch.map((dn) =>
        fillFilter(groups.filter, { dn, username: '' }),
      );
      frontier.push(
        ...(await searchGroups(connection, groups, `(|${parts.join('')})`)),
      );
    }
  }
  return [...found.values()];
}

/**
 * Whether the person may sign in under LDAP_REQUIRED_GROUP: the group is among their groups
 * (as resolved above), or, on AD with memberOf, the domain controller confirms it through the
 * in-chain rule, which follows nesting that memberOf does not show.
 */
export async function inRequiredGroup(
  connection: LdapConnection,
  settings: LdapSettings,
  person: PersonRef,
  groups: readonly string[],
): Promise<boolean> {
  const required = settings.groups.required;
  if (required === undefined) {
    return true;
  }
  const wanted = normaliseDn(required);
  if (groups.some((dn) => normaliseDn(dn) === wanted)) {
    return true;
  }
  if (settings.flavor !== 'ad' || settings.groups.source !== 'memberof') {
    return false;
  }
  const result = await connection.client.search(person.dn, {
    scope: 'base',
    filter: compileFilter(
      `(memberOf:${IN_CHAIN_RULE}:=${escapeFilterValue(required)})`,
    ),
    attributes: ['1.1'],
  });
  return result.searchEntries.length > 0;
}

/** The names handed on for group mappings, in LDAP_GROUP_FORMAT. */
export function formatGroups(
  dns: readonly string[],
  format: LdapGroupFormat,
): string[] {
  if (format === 'dn') {
    return [...dns];
  }
  const names = dns.map(firstRdnValue);
  return unique(format === 'name' ? names : [...dns, ...names]);
}

async function searchGroups(
  connection: LdapConnection,
  groups: LdapGroupSettings,
  filter: string,
): Promise<string[]> {
  const result = await connection.client.search(groups.searchBase, {
    scope: 'sub',
    filter: compileFilter(filter),
    attributes: ['1.1'],
    paged: { pageSize: PAGE_SIZE },
  });
  return result.searchEntries.map((e) => e.dn);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
