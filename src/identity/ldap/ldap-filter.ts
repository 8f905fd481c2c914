import {
  AndFilter,
  ApproximateFilter,
  EqualityFilter,
  ExtensibleFilter,
  FilterParser,
  GreaterThanEqualsFilter,
  LessThanEqualsFilter,
  NotFilter,
  OrFilter,
  SubstringFilter,
  type Filter,
} from 'ldapts';

/**
 * Escapes a value for an LDAP filter (RFC 4515 section 3): `*`, `(`, `)`, `\` and NUL always;
 * every other control character and every byte of a non-ASCII character too, as `\xx` of its
 * UTF-8 bytes, so the filter text is plain ASCII and nothing typed can become filter syntax.
 */
export function escapeFilterValue(value: string | Buffer): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  let out = '';
  for (const byte of bytes) {
    const safe =
      byte >= 0x20 &&
      byte < 0x7f &&
      byte !== 0x2a && // *
      byte !== 0x28 && // (
      byte !== 0x29 && // )
      byte !== 0x5c; // \
    out += safe
      ? String.fromCharCode(byte)
      : `\\${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Replaces `{name}` placeholders of a configured filter with escaped values. */
export function fillFilter(
  template: string,
  values: Readonly<Record<string, string | Buffer>>,
): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : escapeFilterValue(value);
  });
}

/**
 * Parses filter text into ldapts filter objects that send exactly the bytes the text means.
 * ldapts (9.x) turns each `\xx` escape into one UTF-16 code unit and writes values as UTF-8, so
 * an escaped non-ASCII byte would reach the server as two bytes and `josé` could never match.
 * Here every non-ASCII character is escaped first (identical meaning in RFC 4515), then each value
 * is rebuilt from those bytes: equality values as raw bytes (binary ones such as objectGUID
 * included), the others decoded as UTF-8, the only encoding they can carry.
 */
export function compileFilter(text: string): Filter {
  const ascii = text.replace(/[\u0080-\u{10ffff}]/gu, (ch) =>
    escapeFilterValue(ch),
  );
  return rebuild(FilterParser.parseString(ascii));
}

function rebuild(filter: Filter): Filter {
  if (filter instanceof AndFilter || filter instanceof OrFilter) {
    filter.filters = filter.filters.map(rebuild);
  } else if (filter instanceof NotFilter) {
    filter.filter = rebuild(filter.filter);
  } else if (filter instanceof EqualityFilter) {
    if (typeof filter.value === 'string') {
      filter.value = Buffer.from(filter.value, 'latin1');
    }
  } else if (filter instanceof SubstringFilter) {
    filter.initial = utf8(filter.initial);
    filter.any = filter.any.map(utf8);
    filter.final = utf8(filter.final);
  } else if (
    filter instanceof GreaterThanEqualsFilter ||
    filter instanceof LessThanEqualsFilter ||
    filter instanceof ApproximateFilter ||
    filter instanceof ExtensibleFilter
  ) {
    filter.value = utf8(filter.value);
  }
  return filter;
}

/** A string whose code units are bytes (what ldapts' parser yields) → the text those bytes encode. */
function utf8(byteString: string): string {
  return Buffer.from(byteString, 'latin1').toString('utf8');
}
