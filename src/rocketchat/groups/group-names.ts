/**
 * How a person's groups are compared with the configured ones. A name that reads as an LDAP
 * distinguished name (`cn=Admins, ou=Groups,dc=example,dc=org`) is compared as a DN: attribute
 * types and values case-insensitively (the caseIgnoreMatch of cn, ou and dc, and what Active
 * Directory does), spaces around separators and runs of spaces ignored, escapes decoded,
 * multi-valued RDNs in any order. Any other name (an OpenID Connect group, a Keycloak path, a
 * local group) must match exactly, case included: a provider may treat `Admins` and `admins` as
 * two groups, and a mapping must never reach a group it does not name.
 */
export function groupKey(name: string): string {
  const dn = normaliseDn(name);
  return dn === undefined ? `name:${name}` : `dn:${dn}`;
}

export function sameGroup(a: string, b: string): boolean {
  return groupKey(a) === groupKey(b);
}

const ATTRIBUTE_TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;

/** The canonical form of a DN, or undefined when `text` is not one. */
export function normaliseDn(text: string): string | undefined {
  const rdns = splitUnescaped(text, ',');
  if (rdns === undefined || rdns.length === 0) {
    return undefined;
  }
  const out: string[] = [];
  for (const rdn of rdns) {
    const avas = splitUnescaped(rdn, '+');
    if (avas === undefined) {
      return undefined;
    }
    const parts: string[] = [];
    for (const ava of avas) {
      const equals = ava.indexOf('=');
      if (equals === -1) {
        return undefined;
      }
      const type = ava.slice(0, equals).trim();
      const value = decodeValue(ava.slice(equals + 1).trim());
      if (!ATTRIBUTE_TYPE.test(type) || value === undefined || value === '') {
        return undefined;
      }
      parts.push(`${type.toLowerCase()}=${value}`);
    }
    out.push(parts.sort().join('+'));
  }
  return out.join(',');
}

/** Splits on `separator` outside escapes and quotes; undefined on a dangling escape or quote. */
function splitUnescaped(text: string, separator: string): string[] | undefined {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '\\') {
      if (i + 1 >= text.length) {
        return undefined;
      }
      current += c + text[i + 1];
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (c === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (quoted) {
    return undefined;
  }
  parts.push(current);
  return parts;
}

/** An attribute value with escapes decoded, quotes removed, spaces collapsed, lower-cased. */
function decodeValue(raw: string): string | undefined {
  let text = raw;
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    text = text.slice(1, -1);
  }
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c !== '\\') {
      bytes.push(...encoder.encode(c));
      continue;
    }
    const hex = text.slice(i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (i + 1 < text.length) {
      bytes.push(...encoder.encode(text[i + 1]));
      i += 1;
    } else {
      return undefined;
    }
  }
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(
      Uint8Array.from(bytes),
    );
  } catch {
    return undefined;
  }
  return decoded.trim().replace(/\s+/g, ' ').toLowerCase();
}
