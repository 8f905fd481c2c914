import type { Entry } from 'ldapts';
import type { LdapSettings } from '../../config/index.js';
import type { AuthenticatedPerson } from '../authenticated-person.js';
import type { LdapConnection } from './ldap-connection.js';
import { LdapConfigurationError, resultCodeOf } from './ldap-errors.js';
import {
  ACCOUNT_STATE_ATTRIBUTES,
  firstText,
  isGuidAttribute,
  stableId,
  stableIdAssertion,
  textValues,
} from './ldap-entry.js';
import { compileFilter, fillFilter } from './ldap-filter.js';

export const LDAP_SOURCE = { kind: 'ldap', id: 'ldap' } as const;

/** What a search for one person found: nothing, one entry, or (a configuration problem) several. */
export type PersonSearch =
  | { readonly kind: 'none' }
  | { readonly kind: 'one'; readonly entry: Entry }
  | { readonly kind: 'several'; readonly dns: readonly string[] };

/** Entries matching LDAP_USER_FILTER for a typed name; at most two are fetched. */
export function findByUsername(
  connection: LdapConnection,
  settings: LdapSettings,
  username: string,
): Promise<PersonSearch> {
  return findPerson(
    connection,
    settings,
    fillFilter(settings.userFilter, { username }),
  );
}

/**
 * The entry with this stable id that LDAP_USER_FILTER would also find for some name, so that a
 * person moved out of the search base or out of the filter counts as gone.
 */
export function findByExternalId(
  connection: LdapConnection,
  settings: LdapSettings,
  externalId: string,
): Promise<PersonSearch> {
  const assertion = stableIdAssertion(settings.attributes.id, externalId);
  if (assertion === undefined) {
    return Promise.resolve({ kind: 'none' });
  }
  const anyone = settings.userFilter.replaceAll('{username}', '*');
  const byId = fillFilter(`(${settings.attributes.id}={id})`, {
    id: assertion,
  });
  return findPerson(connection, settings, `(&${byId}${anyone})`);
}

/**
 * The person as every identity source hands it on. The e-mail address counts as verified: the
 * directory is the organisation's own record, maintained by its administrators.
 */
export function toPerson(
  entry: Entry,
  settings: LdapSettings,
  typedName: string | undefined,
  groups: readonly string[],
): AuthenticatedPerson {
  const externalId = stableId(entry, settings.attributes.id);
  if (externalId === undefined) {
    throw new LdapConfigurationError(
      `the entry ${entry.dn} has no readable ${settings.attributes.id} (LDAP_ID_ATTRIBUTE): ` +
        'check the attribute name and that the service account may read it',
    );
  }
  const names = textValues(entry, settings.attributes.username);
  const username =
    names.find((n) => n.toLowerCase() === typedName?.trim().toLowerCase()) ??
    names[0];
  if (username === undefined) {
    throw new LdapConfigurationError(
      `the entry ${entry.dn} has no readable ${settings.attributes.username} (LDAP_USERNAME_ATTRIBUTE)`,
    );
  }
  const email = firstText(entry, settings.attributes.email);
  const displayName = settings.attributes.displayName
    .map((attribute) => firstText(entry, attribute))
    .find((value) => value !== undefined);
  return {
    source: LDAP_SOURCE,
    externalId,
    username,
    email,
    emailVerified: email !== undefined,
    displayName,
    groups: [...groups],
  };
}

function personAttributes(settings: LdapSettings): string[] {
  const { attributes, groups } = settings;
  const wanted = [
    attributes.username,
    ...attributes.displayName,
    attributes.email,
    attributes.id,
    ...ACCOUNT_STATE_ATTRIBUTES,
    ...(groups.source === 'memberof' ? ['memberOf'] : []),
  ];
  const seen = new Set<string>();
  return wanted.filter(
    (a) => !seen.has(a.toLowerCase()) && seen.add(a.toLowerCase()),
  );
}

async function findPerson(
  connection: LdapConnection,
  settings: LdapSettings,
  filter: string,
): Promise<PersonSearch> {
  const id = settings.attributes.id;
  let entries: Entry[];
  try {
    const result = await connection.client.search(settings.searchBase, {
      scope: 'sub',
      filter: compileFilter(filter),
      attributes: personAttributes(settings),
      explicitBufferAttributes: isGuidAttribute(id)
        ? [id, id.toLowerCase()]
        : [],
      sizeLimit: 2,
      timeLimit: Math.max(1, Math.ceil(settings.timeoutMs / 1000)),
    });
    entries = result.searchEntries;
  } catch (error) {
    if (resultCodeOf(error) === 32) {
      throw new LdapConfigurationError(
        'LDAP_SEARCH_BASE does not exist on the directory server (noSuchObject)',
        { cause: error },
      );
    }
    throw error;
  }
  if (entries.length === 0) {
    return { kind: 'none' };
  }
  if (entries.length > 1) {
    return { kind: 'several', dns: entries.map((e) => e.dn) };
  }
  return { kind: 'one', entry: entries[0] };
}
