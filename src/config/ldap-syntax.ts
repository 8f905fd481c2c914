import { isIP } from 'node:net';
import { FilterParser } from 'ldapts';
import { isLoopbackHost } from './urls.js';

/** One directory server of LDAP_URL: `ldaps://` (TLS from the start) or `ldap://` (StartTLS or plain). */
export interface LdapServerAddress {
  /** `ldaps://dc1.example.org:636`, normalised (lower-case scheme and host, explicit port). */
  readonly url: string;
  readonly scheme: 'ldap' | 'ldaps';
  /** Host name or IP address, IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
}

export type ServerListCheck =
  { ok: true; servers: LdapServerAddress[] } | { ok: false; rule: string };

const MAX_SERVERS = 10;

/** LDAP_URL: one or more `ldap[s]://host[:port]`, separated by spaces or commas (failover order). */
export function parseLdapServers(value: string): ServerListCheck {
  const items = value.split(/[\s,]+/).filter((s) => s.length > 0);
  if (items.length === 0) {
    return { ok: false, rule: 'must name at least one server' };
  }
  if (items.length > MAX_SERVERS) {
    return { ok: false, rule: `may list at most ${MAX_SERVERS} servers` };
  }
  const servers: LdapServerAddress[] = [];
  for (const item of items) {
    const parsed = parseLdapServer(item);
    if (!parsed.ok) {
      return parsed;
    }
    if (!servers.some((s) => s.url === parsed.server.url)) {
      servers.push(parsed.server);
    }
  }
  return { ok: true, servers };
}

function parseLdapServer(
  item: string,
): { ok: true; server: LdapServerAddress } | { ok: false; rule: string } {
  const shape =
    'must be ldaps://host[:port] or ldap://host[:port], several separated by spaces or commas';
  if (!/^ldaps?:\/\//i.test(item)) {
    return { ok: false, rule: shape };
  }
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    return { ok: false, rule: shape };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      rule: 'must not contain a user name or password (use LDAP_BIND_DN and LDAP_BIND_PASSWORD)',
    };
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    return {
      ok: false,
      rule: 'must name servers only, without a DN, attributes or filter (use LDAP_SEARCH_BASE and LDAP_USER_FILTER)',
    };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === '') {
    return { ok: false, rule: shape };
  }
  const scheme = url.protocol === 'ldaps:' ? 'ldaps' : 'ldap';
  const port = url.port ? Number(url.port) : scheme === 'ldaps' ? 636 : 389;
  const shown = isIP(host) === 6 ? `[${host}]` : host;
  return {
    ok: true,
    server: { url: `${scheme}://${shown}:${port}`, scheme, host, port },
  };
}

export function isLoopbackServer(server: LdapServerAddress): boolean {
  return isLoopbackHost(server.host);
}

/**
 * A distinguished name as RFC 4514 writes it: `attr=value` pairs separated by unescaped commas
 * (`+` inside a multi-valued RDN). Loose on purpose: the server has the last word on its syntax.
 */
export function isPlausibleDn(value: string): boolean {
  const rdns = splitUnescaped(value.trim(), ',');
  return (
    rdns.length > 0 &&
    rdns.every((rdn) =>
      splitUnescaped(rdn, '+').every((ava) =>
        /^\s*(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)\s*=/.test(ava),
      ),
    )
  );
}

/** Splits at `separator` unless a backslash escapes it (`cn=Smith\, John`). */
export function splitUnescaped(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i];
    if (ch === '\\' && i + 1 < value.length) {
      current += ch + value[i + 1];
      i += 1;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** An attribute description: a name such as `sAMAccountName`, or an OID. */
export function isAttributeName(value: string): boolean {
  return /^(?:[A-Za-z][A-Za-z0-9-]{0,63}|\d+(?:\.\d+)+)$/.test(value);
}

/**
 * A filter template: balanced, in parentheses, parseable once its placeholders are filled, using
 * only the placeholders allowed and at least one of the required ones.
 */
export function checkFilterTemplate(
  template: string,
  allowed: readonly string[],
  required: readonly string[],
): string | undefined {
  const trimmed = template.trim();
  if (!trimmed.startsWith('(') || !trimmed.endsWith(')')) {
    return 'must be an LDAP filter in parentheses, such as (uid={username})';
  }
  const used = [...trimmed.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]);
  const unknown = used.find((name) => !allowed.includes(name));
  if (unknown !== undefined) {
    return `may only use the placeholders ${allowed.map((a) => `{${a}}`).join(' and ')}`;
  }
  if (!required.some((name) => used.includes(name))) {
    return `must contain ${required.map((a) => `{${a}}`).join(' or ')}`;
  }
  try {
    if (!balanced(trimmed)) {
      throw new Error('unbalanced');
    }
    FilterParser.parseString(trimmed.replace(/\{[^{}]*\}/g, 'sample'));
  } catch {
    return 'is not a valid LDAP filter (RFC 4515): check its parentheses and escapes';
  }
  return undefined;
}

/** Parentheses pair up and the first one closes at the very end (values escape theirs as \\28). */
function balanced(filter: string): boolean {
  let depth = 0;
  for (let i = 0; i < filter.length; i += 1) {
    if (filter[i] === '(') {
      depth += 1;
    } else if (filter[i] === ')') {
      depth -= 1;
      if (depth < 0 || (depth === 0 && i !== filter.length - 1)) {
        return false;
      }
    }
  }
  return depth === 0;
}
