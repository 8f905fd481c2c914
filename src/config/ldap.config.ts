import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { EnvReader } from './env.js';
import { readAttribute, readAttributeList, readDn } from './ldap-env.js';
import { readGroups, type LdapGroupSettings } from './ldap-groups.config.js';
import {
  checkPasswordSourcesWithoutLdap,
  readLdapPolicy,
  type LdapPolicy,
} from './ldap-policy.config.js';
import {
  checkFilterTemplate,
  isLoopbackServer,
  parseLdapServers,
  type LdapServerAddress,
} from './ldap-syntax.js';

export type {
  LdapGroupFormat,
  LdapGroupSettings,
  LdapGroupSource,
} from './ldap-groups.config.js';
export type { LdapServerAddress } from './ldap-syntax.js';
export type {
  LdapDeprovisionMode,
  LdapPolicy,
  PasswordSource,
} from './ldap-policy.config.js';

/** Which directory the defaults suit: OpenLDAP (and 389-DS, FreeIPA) or Active Directory. */
export type LdapFlavor = 'openldap' | 'ad';

export interface LdapSettings {
  readonly enabled: true;
  readonly flavor: LdapFlavor;
  /** In failover order. */
  readonly servers: readonly LdapServerAddress[];
  /** StartTLS on `ldap://` servers (always on unless turned off for localhost or by opt-in). */
  readonly startTls: boolean;
  /** PEM of the certificate authorities trusted for the directory (LDAP_CA_FILE); else Node's. */
  readonly caPem: string | undefined;
  /** Service account; undefined = anonymous search. The password is never logged. */
  readonly bind: { readonly dn: string; readonly password: string } | undefined;
  readonly searchBase: string;
  /** Template with {username}, escaped per RFC 4515 when filled. */
  readonly userFilter: string;
  readonly attributes: {
    readonly username: string;
    readonly displayName: readonly string[];
    readonly email: string;
    /** Stable, never reassigned: entryUUID (OpenLDAP), objectGUID (AD). */
    readonly id: string;
  };
  readonly groups: LdapGroupSettings;
  readonly connectTimeoutMs: number;
  /** Deadline of each LDAP operation (bind, search, StartTLS). */
  readonly timeoutMs: number;
  /** Service-bound connections kept open. */
  readonly poolSize: number;
  /** How often a signed-in directory person is checked again (used by the session re-check). */
  readonly recheckIntervalMs: number;
  /** The login form's source order, linking of local users, what leaving the directory does. */
  readonly policy: LdapPolicy;
}

/** LDAP sign-in is off when LDAP_URL is unset. */
export type LdapConfig = { readonly enabled: false } | LdapSettings;

const FLAVOR_DEFAULTS = {
  openldap: {
    username: 'uid',
    userFilter: (attr: string) => `(${attr}={username})`,
    id: 'entryUUID',
    groupFilter: '(|(member={dn})(uniqueMember={dn}))',
    nestingDepth: 2,
  },
  ad: {
    username: 'sAMAccountName',
    userFilter: (attr: string) =>
      `(&(objectCategory=person)(objectClass=user)(${attr}={username}))`,
    id: 'objectGUID',
    // LDAP_MATCHING_RULE_IN_CHAIN: the domain controller follows nested groups itself.
    groupFilter: '(&(objectClass=group)(member:1.2.840.113556.1.4.1941:={dn}))',
    nestingDepth: 0,
  },
} as const;

/**
 * Settings that only make sense for a directory: set without LDAP_URL, they are a mistake (a
 * forgotten or misspelt LDAP_URL). Variables with defaults are left out, so that copying the
 * documented defaults never stops the bridge.
 */
const SETUP_VARIABLES = [
  'LDAP_CA_FILE',
  'LDAP_BIND_DN',
  'LDAP_BIND_PASSWORD',
  'LDAP_SEARCH_BASE',
  'LDAP_USER_FILTER',
  'LDAP_GROUP_SEARCH_BASE',
  'LDAP_GROUP_FILTER',
  'LDAP_REQUIRED_GROUP',
] as const;

export function readLdapConfig(r: EnvReader): LdapConfig {
  const urls = r.string('LDAP_URL');
  if (urls === undefined) {
    const stray = SETUP_VARIABLES.find((name) => r.has([name, `${name}_FILE`]));
    if (stray !== undefined) {
      r.fail('LDAP_URL', `is required when ${stray} is set`);
    }
    checkPasswordSourcesWithoutLdap(r);
    return { enabled: false };
  }
  const parsed = parseLdapServers(urls);
  if (!parsed.ok) {
    r.fail('LDAP_URL', parsed.rule);
  }
  const servers = parsed.ok ? parsed.servers : [];
  const flavor = r.oneOf<LdapFlavor>(
    'LDAP_FLAVOR',
    ['openldap', 'ad'],
    'openldap',
  );
  const defaults = FLAVOR_DEFAULTS[flavor];
  const startTls = readTransportSecurity(r, servers);

  const searchBase = readDn(r, 'LDAP_SEARCH_BASE', true) ?? '';
  const username = readAttribute(
    r,
    'LDAP_USERNAME_ATTRIBUTE',
    defaults.username,
  );
  const userFilter = r.string('LDAP_USER_FILTER', {
    default: defaults.userFilter(username),
  });
  const userFilterProblem = checkFilterTemplate(
    userFilter,
    ['username'],
    ['username'],
  );
  if (userFilterProblem !== undefined) {
    r.fail('LDAP_USER_FILTER', userFilterProblem);
  }

  return {
    enabled: true,
    flavor,
    servers,
    startTls,
    caPem: readCaFile(r),
    bind: readServiceAccount(r),
    searchBase,
    userFilter: userFilter.trim(),
    attributes: {
      username,
      displayName: readAttributeList(r, 'LDAP_DISPLAY_NAME_ATTRIBUTES', [
        'displayName',
        'cn',
      ]),
      email: readAttribute(r, 'LDAP_EMAIL_ATTRIBUTE', 'mail'),
      id: readAttribute(r, 'LDAP_ID_ATTRIBUTE', defaults.id),
    },
    groups: readGroups(r, searchBase, defaults),
    connectTimeoutMs: r.durationMs('LDAP_CONNECT_TIMEOUT', {
      default: 5000,
      min: 100,
      max: 60_000,
    }),
    timeoutMs: r.durationMs('LDAP_TIMEOUT', {
      default: 5000,
      min: 100,
      max: 60_000,
    }),
    poolSize: r.int('LDAP_POOL_SIZE', { default: 4, min: 1, max: 32 }),
    recheckIntervalMs: r.durationMs('LDAP_RECHECK_INTERVAL', {
      default: 900_000,
      min: 5000,
      max: 86_400_000,
    }),
    policy: readLdapPolicy(r),
  };
}

/**
 * StartTLS is on for every `ldap://` server. Turning it off sends the service password and every
 * person's password in clear text, so it is allowed for servers on this machine only, unless
 * LDAP_ALLOW_PLAINTEXT=true says the operator accepts that (an IPsec link, a lab).
 */
function readTransportSecurity(
  r: EnvReader,
  servers: readonly LdapServerAddress[],
): boolean {
  const startTls = r.bool('LDAP_STARTTLS', true);
  const allowPlaintext = r.bool('LDAP_ALLOW_PLAINTEXT', false);
  if (!startTls && !allowPlaintext) {
    const remote = servers.find(
      (s) => s.scheme === 'ldap' && !isLoopbackServer(s),
    );
    if (remote !== undefined) {
      r.fail(
        'LDAP_STARTTLS',
        'may be false only when every ldap:// server is on this machine: passwords would cross the network ' +
          'unencrypted (use ldaps:// or StartTLS, or set LDAP_ALLOW_PLAINTEXT=true to accept that risk)',
      );
    }
  }
  return startTls;
}

function readCaFile(r: EnvReader): string | undefined {
  const path = r.string('LDAP_CA_FILE');
  if (path === undefined) {
    return undefined;
  }
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    r.fail('LDAP_CA_FILE', `names a file that cannot be read (${code})`);
    return undefined;
  }
  if (
    !pem.includes('-----BEGIN CERTIFICATE-----') ||
    !parsesAsCertificate(pem)
  ) {
    r.fail('LDAP_CA_FILE', 'must hold PEM certificates (BEGIN CERTIFICATE)');
    return undefined;
  }
  return pem;
}

function parsesAsCertificate(pem: string): boolean {
  try {
    return new X509Certificate(pem).subject !== undefined;
  } catch {
    return false;
  }
}

function readServiceAccount(r: EnvReader): LdapSettings['bind'] {
  const dn = readDn(r, 'LDAP_BIND_DN', false);
  const password = r.string('LDAP_BIND_PASSWORD', { secret: true });
  const passwordSet = r.has('LDAP_BIND_PASSWORD', true);
  if (dn === undefined && !r.has('LDAP_BIND_DN') && passwordSet) {
    r.fail('LDAP_BIND_DN', 'is required with LDAP_BIND_PASSWORD');
  }
  if (r.has('LDAP_BIND_DN') && !passwordSet) {
    r.fail(
      'LDAP_BIND_PASSWORD',
      'is required with LDAP_BIND_DN (a bind without a password is anonymous)',
    );
  }
  return dn !== undefined && password !== undefined
    ? { dn, password }
    : undefined;
}
