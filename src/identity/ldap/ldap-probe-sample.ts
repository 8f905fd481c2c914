import type { LdapSettings } from '../../config/index.js';
import type { LdapConnection } from './ldap-connection.js';
import { describeLdapError } from './ldap-errors.js';
import { firstText, isAccountDisabled, stableId } from './ldap-entry.js';
import { formatGroups, inRequiredGroup, resolveGroups } from './ldap-groups.js';
import { findByUsername } from './ldap-people.js';
import { probeCheck, type LdapProbeCheck } from './ldap-probe-check.js';

/** LDAP_USER_FILTER run for one sample name, and what sign-in would make of the entry. */
export interface LdapSampleProbe {
  readonly username: string;
  readonly found: 'none' | 'one' | 'several' | 'error';
  readonly dns?: readonly string[];
  /** LDAP_ID_ATTRIBUTE's value; undefined when the entry lacks it or it is not readable. */
  readonly externalId?: string;
  readonly displayName?: string;
  readonly email?: string;
  readonly disabled?: boolean;
  /** As AuthenticatedPerson.groups would list them (LDAP_GROUP_FORMAT). */
  readonly groups?: readonly string[];
  readonly inRequiredGroup?: boolean;
  readonly error?: string;
}

export async function probeSample(
  connection: LdapConnection,
  settings: LdapSettings,
  username: string,
): Promise<LdapSampleProbe> {
  const found = await findByUsername(connection, settings, username);
  if (found.kind === 'none') {
    return { username, found: 'none' };
  }
  if (found.kind === 'several') {
    return { username, found: 'several', dns: found.dns };
  }
  const { entry } = found;
  const ref = { dn: entry.dn, username, entry };
  const dns = await resolveGroups(connection, settings, ref);
  return {
    username,
    found: 'one',
    dns: [entry.dn],
    externalId: stableId(entry, settings.attributes.id),
    displayName: settings.attributes.displayName
      .map((a) => firstText(entry, a))
      .find((v) => v !== undefined),
    email: firstText(entry, settings.attributes.email),
    disabled: isAccountDisabled(entry, Date.now()),
    groups: formatGroups(dns, settings.groups.format),
    inRequiredGroup: await inRequiredGroup(connection, settings, ref, dns),
  };
}

export function sampleError(username: string, error: unknown): LdapSampleProbe {
  return { username, found: 'error', error: describeLdapError(error) };
}

/** The doctor line for the sample search. */
export function sampleCheck(
  sample: LdapSampleProbe,
  settings: LdapSettings,
): LdapProbeCheck {
  const id = 'ldap.user-search';
  const title = `LDAP user search for "${sample.username}"`;
  switch (sample.found) {
    case 'error':
      return probeCheck.fail(
        id,
        title,
        `failed: ${sample.error ?? ''}`,
        "Check LDAP_SEARCH_BASE, LDAP_USER_FILTER and the service account's read rights.",
      );
    case 'none':
      return probeCheck.warn(
        id,
        title,
        `no entry matches ${settings.userFilter} under ${settings.searchBase}`,
        'Check the name, LDAP_USER_FILTER and LDAP_SEARCH_BASE.',
      );
    case 'several':
      return probeCheck.fail(
        id,
        title,
        `several entries match (${(sample.dns ?? []).join('; ')}): nobody with this name can sign in`,
        'Make LDAP_USER_FILTER match one entry per name (for example add an objectClass condition).',
      );
    case 'one':
      break;
  }
  const dn = sample.dns?.[0] ?? '';
  if (sample.externalId === undefined) {
    return probeCheck.fail(
      id,
      title,
      `found ${dn}, but its ${settings.attributes.id} is missing or unreadable`,
      'Check LDAP_ID_ATTRIBUTE (entryUUID on OpenLDAP, objectGUID on AD) and that the service account may read it.',
    );
  }
  const facts = [
    `found ${dn}`,
    `id ${sample.externalId}`,
    sample.email ? `e-mail ${sample.email}` : 'no e-mail',
    `${sample.groups?.length ?? 0} groups`,
  ];
  if (sample.disabled) {
    return probeCheck.warn(
      id,
      title,
      `${facts.join(', ')}; the account is disabled`,
      'Nothing to do if that is intended.',
    );
  }
  if (settings.groups.required !== undefined && !sample.inRequiredGroup) {
    return probeCheck.warn(
      id,
      title,
      `${facts.join(', ')}; not a member of LDAP_REQUIRED_GROUP`,
      'Nothing to do if that is intended; else check LDAP_GROUP_SOURCE, LDAP_GROUP_FILTER and nesting.',
    );
  }
  return probeCheck.ok(id, title, facts.join(', '));
}
