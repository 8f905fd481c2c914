/**
 * The rules for what a bridge user's fields may hold, shared by the CLI, the Django import and the
 * login check. They are a superset of what Django's default user model accepts, so every Django
 * user with a usable password imports.
 */

export type FieldCheck<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

export interface Username {
  /** As shown and given to Rocket.Chat: NFKC-normalised and trimmed, case kept. */
  readonly display: string;
  /** The lookup and uniqueness key: `display` lower-cased (then NFKC again). */
  readonly key: string;
}

/** Django's limit (AbstractUser.username max_length). */
export const USERNAME_MAX_LENGTH = 150;
/** Raw input longer than this is refused before it is even normalised (NFKC can expand text). */
const USERNAME_MAX_INPUT = 4 * USERNAME_MAX_LENGTH;
export const EMAIL_MAX_LENGTH = 254;
export const DISPLAY_NAME_MAX_LENGTH = 300;

/** Python's `\w` (letters and numbers of any script, and `_`) plus `. @ + -`: Django's rule. */
const USERNAME_CHARS = /^[\p{L}\p{N}_.@+-]+$/u;
/** Control (C0, C1, NUL), invisible formatting (zero-width, bidi overrides), line separators. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

function problem<T>(text: string): FieldCheck<T> {
  return { ok: false, problem: text };
}

/**
 * Normalises a username as typed (Unicode NFKC, trimmed) and checks Django's rule: 1-150 letters,
 * digits and `_ . @ + -`. The key compares case-insensitively, so `Alice` and `alice` are one user.
 */
export function parseUsername(input: string): FieldCheck<Username> {
  if (input.length > USERNAME_MAX_INPUT) {
    return problem(`must be at most ${USERNAME_MAX_LENGTH} characters long`);
  }
  const display = input.normalize('NFKC').trim();
  if (display === '') {
    return problem('must not be empty');
  }
  if (INVISIBLE.test(display)) {
    return problem(
      'must not contain control characters (NUL, line breaks, escapes) or invisible formatting characters',
    );
  }
  if (/\s/u.test(display)) {
    return problem('must not contain spaces or other whitespace');
  }
  if (Array.from(display).length > USERNAME_MAX_LENGTH) {
    return problem(`must be at most ${USERNAME_MAX_LENGTH} characters long`);
  }
  if (!USERNAME_CHARS.test(display)) {
    return problem(
      'may contain only letters, digits and the characters _ . @ + -',
    );
  }
  return {
    ok: true,
    value: { display, key: display.toLowerCase().normalize('NFKC') },
  };
}

/**
 * An optional e-mail address (Django allows blank ones): trimmed, blank means none. A plain
 * `local@domain` with a dotted domain (or `localhost`), no whitespace or control characters; the
 * domain is lower-cased, the local part kept as given. Not unique: Django does not enforce that.
 */
export function parseEmail(
  input: string | undefined,
): FieldCheck<string | undefined> {
  const value = input?.trim() ?? '';
  if (value === '') {
    return { ok: true, value: undefined };
  }
  if (Array.from(value).length > EMAIL_MAX_LENGTH) {
    return problem(`must be at most ${EMAIL_MAX_LENGTH} characters long`);
  }
  if (INVISIBLE.test(value) || /\s/u.test(value)) {
    return problem('must not contain spaces or control characters');
  }
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  const localOk =
    at > 0 &&
    local.length <= 64 &&
    !local.includes('@') &&
    !local.startsWith('.') &&
    !local.endsWith('.') &&
    !local.includes('..');
  const domainOk =
    domain === 'localhost' ||
    /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}\p{N}][\p{L}\p{N}-]{0,61}[\p{L}\p{N}]$/u.test(
      domain,
    );
  if (!localOk || !domainOk) {
    return problem('is not an e-mail address (expected name@example.org)');
  }
  return { ok: true, value: `${local}@${domain}` };
}

/** An optional display name: trimmed, blank means none, no control characters. */
export function parseDisplayName(
  input: string | undefined,
): FieldCheck<string | undefined> {
  const value = input?.normalize('NFC').trim().replace(/\s+/gu, ' ') ?? '';
  if (value === '') {
    return { ok: true, value: undefined };
  }
  if (INVISIBLE.test(value.replace(/[\u200c\u200d]/gu, ''))) {
    return problem('must not contain control characters');
  }
  if (Array.from(value).length > DISPLAY_NAME_MAX_LENGTH) {
    return problem(
      `must be at most ${DISPLAY_NAME_MAX_LENGTH} characters long`,
    );
  }
  return { ok: true, value };
}
