import type { Entry } from 'ldapts';
import { splitUnescaped } from '../../config/index.js';
import {
  isDisabledByUserAccountControl,
  isExpiredAccount,
  objectGuidBytes,
  renderObjectGuid,
} from './active-directory.js';

/** Attributes that say an account is switched off, whichever server kind holds them. */
export const ACCOUNT_STATE_ATTRIBUTES = [
  'userAccountControl', // Active Directory
  'accountExpires', // Active Directory
  'pwdAccountLockedTime', // OpenLDAP ppolicy (operational: only returned when asked for)
  'nsAccountLock', // 389-DS, FreeIPA
] as const;

/** OpenLDAP ppolicy's value for "locked by an administrator until unlocked" (slapo-ppolicy(5)). */
const PERMANENT_LOCK = '000001010000Z';

/** GUID-valued attributes, sent as 16 raw bytes. */
const GUID_ATTRIBUTES = new Set(['objectguid', 'ms-ds-consistencyguid']);

export function isGuidAttribute(attribute: string): boolean {
  return GUID_ATTRIBUTES.has(attribute.toLowerCase());
}

/** An attribute's values; attribute names compare case-insensitively, as in LDAP. */
export function rawValues(
  entry: Entry,
  attribute: string,
): (string | Buffer)[] {
  const wanted = attribute.toLowerCase();
  for (const [key, value] of Object.entries(entry)) {
    if (key !== 'dn' && key.toLowerCase() === wanted) {
      return Array.isArray(value) ? value : [value];
    }
  }
  return [];
}

export function textValues(entry: Entry, attribute: string): string[] {
  return rawValues(entry, attribute)
    .map((v) => (typeof v === 'string' ? v : v.toString('utf8')))
    .filter((v) => v.length > 0);
}

export function firstText(entry: Entry, attribute: string): string | undefined {
  return textValues(entry, attribute)[0];
}

/**
 * The stable id: a GUID attribute rendered canonically (objectGUID), anything else as text
 * (entryUUID in lower case). Undefined when the entry lacks it (often an ACL hiding it).
 */
export function stableId(entry: Entry, attribute: string): string | undefined {
  const value = rawValues(entry, attribute)[0];
  if (value === undefined) {
    return undefined;
  }
  if (isGuidAttribute(attribute)) {
    // ldapts decodes values that happen to be valid UTF-8; those bytes re-encode exactly.
    const bytes =
      typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    return renderObjectGuid(bytes);
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  return attribute.toLowerCase() === 'entryuuid' ? value.toLowerCase() : value;
}

/** The value to search for a stable id with, or undefined when it cannot be one. */
export function stableIdAssertion(
  attribute: string,
  id: string,
): string | Buffer | undefined {
  return isGuidAttribute(attribute) ? objectGuidBytes(id) : id;
}

/** Whether the directory says the account is switched off (not a temporary lockout). */
export function isAccountDisabled(entry: Entry, nowMs: number): boolean {
  return (
    isDisabledByUserAccountControl(firstText(entry, 'userAccountControl')) ||
    isExpiredAccount(firstText(entry, 'accountExpires'), nowMs) ||
    firstText(entry, 'pwdAccountLockedTime') === PERMANENT_LOCK ||
    firstText(entry, 'nsAccountLock')?.toLowerCase() === 'true'
  );
}

/**
 * A DN in a form fit for comparing: lower case, no spaces around separators. Servers may spell
 * the same DN with other case or spacing (AD answers `CN=Chat,OU=Groups,...`).
 */
export function normaliseDn(dn: string): string {
  return splitUnescaped(dn.trim(), ',')
    .map((rdn) =>
      splitUnescaped(rdn, '+')
        .map((ava) => {
          const at = ava.indexOf('=');
          return at === -1
            ? ava.trim()
            : `${ava.slice(0, at).trim()}=${ava.slice(at + 1).trim()}`;
        })
        .join('+'),
    )
    .join(',')
    .toLowerCase();
}

/** `cn=Chat\, Admins,ou=groups,...` → `Chat, Admins`: the value of the first RDN, unescaped. */
export function firstRdnValue(dn: string): string {
  const rdn = splitUnescaped(dn.trim(), ',')[0] ?? '';
  const ava = splitUnescaped(rdn, '+')[0] ?? '';
  const at = ava.indexOf('=');
  const chars = Array.from(at === -1 ? ava : ava.slice(at + 1).trim());
  const bytes: number[] = [];
  for (let i = 0; i < chars.length; i += 1) {
    const hex = /^[0-9a-f]{2}$/i.exec(
      (chars[i + 1] ?? '') + (chars[i + 2] ?? ''),
    );
    if (chars[i] === '\\' && hex) {
      bytes.push(parseInt(hex[0], 16));
      i += 2;
    } else if (chars[i] === '\\' && i + 1 < chars.length) {
      bytes.push(...Buffer.from(chars[i + 1], 'utf8'));
      i += 1;
    } else {
      bytes.push(...Buffer.from(chars[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
