import type { EnvReader } from './env.js';
import { isAttributeName, isPlausibleDn } from './ldap-syntax.js';

/** Readers shared by the ldap namespace's files: DNs and attribute names, checked. */
export function readDn(
  r: EnvReader,
  name: string,
  required: boolean,
): string | undefined {
  const value = r.string(name, { required, maxLength: 1024 });
  if (value === undefined) {
    return undefined;
  }
  if (!isPlausibleDn(value)) {
    r.fail(
      name,
      'must be a distinguished name such as ou=people,dc=example,dc=org',
    );
    return undefined;
  }
  return value.trim();
}

export function readAttribute(
  r: EnvReader,
  name: string,
  fallback: string,
): string {
  const value = r.string(name, { default: fallback }).trim();
  if (!isAttributeName(value)) {
    r.fail(name, 'must be an attribute name such as uid, or an OID');
    return fallback;
  }
  return value;
}

export function readAttributeList(
  r: EnvReader,
  name: string,
  fallback: string[],
): string[] {
  const entries = r.list(name);
  if (entries === undefined) {
    return fallback;
  }
  if (entries.items.length === 0 || !entries.items.every(isAttributeName)) {
    r.fail(name, 'must be attribute names separated by commas');
    return fallback;
  }
  return entries.items;
}
