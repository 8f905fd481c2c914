/** Readers for the field values of a Django dumpdata record; problems go to `reasons`. */

export function optionalString(
  value: unknown,
  field: string,
  reasons: string[],
): string | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    reasons.push(`${field} is not a string`);
    return undefined;
  }
  return value;
}

const DJANGO_DATE =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * dumpdata writes ISO 8601 (`2023-05-30T18:16:55.615Z`; `+02:00` offsets; no zone with
 * USE_TZ=False, read here as UTC). Null or missing: undefined.
 */
export function djangoDate(
  value: unknown,
  field: string,
  reasons: string[],
): Date | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const match =
    typeof value === 'string' ? DJANGO_DATE.exec(value.trim()) : null;
  if (!match) {
    reasons.push(`${field} is not a date`);
    return undefined;
  }
  const [, day, time, fraction = '0', zone = 'Z'] = match;
  const seconds = time.length === 5 ? `${time}:00` : time;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const offset = zone === 'Z' ? zone : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const date = new Date(`${day}T${seconds}.${millis}${offset}`);
  if (Number.isNaN(date.getTime())) {
    reasons.push(`${field} is not a date`);
    return undefined;
  }
  return date;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
