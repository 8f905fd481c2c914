import type { EnvReader } from './env.js';

/** Where the login form's name and password are checked: the bridge's own users, the directory. */
export type PasswordSource = 'local' | 'ldap';

/**
 * What happens in Rocket.Chat when the directory no longer vouches for a person (gone, disabled,
 * out of LDAP_REQUIRED_GROUP): their bridge sessions end and their Rocket.Chat logins are revoked
 * either way; `deactivate` also deactivates the Rocket.Chat account (re-activated when they are
 * back), `logout` leaves it active.
 */
export type LdapDeprovisionMode = 'deactivate' | 'logout';

/** How directory people become bridge users, and what their leaving does. */
export interface LdapPolicy {
  /** The form's sources, in the order they are asked. */
  readonly passwordSources: readonly PasswordSource[];
  /** A directory person signing in for the first time may take over the local user of that name. */
  readonly linkByUsername: boolean;
  readonly deprovision: LdapDeprovisionMode;
}

const SOURCES: readonly PasswordSource[] = ['local', 'ldap'];
const VARIABLE = 'LOGIN_PASSWORD_SOURCES';

/** LDAP_URL is set: the directory is asked after the bridge's own users unless told otherwise. */
export function readLdapPolicy(r: EnvReader): LdapPolicy {
  return {
    passwordSources: readPasswordSources(r, ['local', 'ldap']),
    linkByUsername: r.bool('LDAP_LINK_BY_USERNAME', false),
    deprovision: r.oneOf<LdapDeprovisionMode>(
      'LDAP_DEPROVISION',
      ['deactivate', 'logout'],
      'deactivate',
    ),
  };
}

/** LDAP_URL is unset: only `local` makes sense (naming `ldap` is a forgotten LDAP_URL). */
export function checkPasswordSourcesWithoutLdap(r: EnvReader): void {
  const sources = readPasswordSources(r, ['local']);
  if (sources.includes('ldap')) {
    r.fail(VARIABLE, 'names ldap, but LDAP_URL is not set');
  }
}

function readPasswordSources(
  r: EnvReader,
  fallback: readonly PasswordSource[],
): readonly PasswordSource[] {
  const entries = r.list(VARIABLE);
  if (entries === undefined) {
    return fallback;
  }
  const items = entries.items.map((item) => item.toLowerCase());
  if (
    items.length === 0 ||
    !items.every((item): item is PasswordSource =>
      (SOURCES as readonly string[]).includes(item),
    ) ||
    new Set(items).size !== items.length
  ) {
    r.fail(
      VARIABLE,
      'must list local and/or ldap, separated by commas, each once (for example local,ldap)',
    );
    return fallback;
  }
  return items;
}
