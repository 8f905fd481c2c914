import { storedHashFromDjango } from '../passwords/stored-hash.js';
import type { ImportedUser } from '../bridge-user.js';
import { parseDisplayName, parseEmail, parseUsername } from '../user-fields.js';
import { djangoDate, isRecord, optionalString } from './django-fields.js';

/** One row of the file that cannot be imported, and why (all reasons, never a password hash). */
export interface RowProblem {
  /** 1-based position in the file's array. */
  readonly row: number;
  readonly pk: string | undefined;
  readonly username: string | undefined;
  readonly reasons: readonly string[];
}

export interface ImportRow {
  readonly row: number;
  readonly user: ImportedUser;
}

export interface ImportPlan {
  /** Records of the user model in the file. */
  readonly total: number;
  /** Records of other models (a wider dump), left alone. */
  readonly ignored: number;
  readonly rows: readonly ImportRow[];
  readonly problems: readonly RowProblem[];
}

/** The file as a whole cannot be read as a dump. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

export const DJANGO_USER_MODEL = 'auth.user';

interface Candidate {
  readonly row: number;
  readonly pk: string | undefined;
  readonly username: string | undefined;
  readonly key: string | undefined;
  readonly reasons: string[];
  readonly user: ImportedUser | undefined;
}

/**
 * Reads `manage.py dumpdata auth.user` output - `[{"model": "auth.user", "pk": 1, "fields":
 * {"username", "password", "email", "first_name", "last_name", "is_active", "date_joined",
 * "last_login", …}}]` - and validates every row without touching the database: the caller
 * checks which usernames exist already, then writes only when it decides to.
 */
export function planDjangoImport(
  text: string,
  model: string = DJANGO_USER_MODEL,
  now: Date = new Date(),
): ImportPlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ImportFileError(
      'The file is not JSON (expected the output of `manage.py dumpdata auth.user`)',
    );
  }
  if (!Array.isArray(data)) {
    throw new ImportFileError(
      'The file is not a dumpdata export: expected a JSON array of records',
    );
  }
  const wanted = model.toLowerCase();
  const candidates: Candidate[] = [];
  let ignored = 0;
  data.forEach((entry: unknown, index) => {
    if (
      isRecord(entry) &&
      typeof entry.model === 'string' &&
      entry.model.toLowerCase() !== wanted
    ) {
      ignored += 1;
      return;
    }
    candidates.push(checkRow(entry, index + 1, now));
  });
  markDuplicates(candidates);

  const rows: ImportRow[] = [];
  const problems: RowProblem[] = [];
  for (const c of candidates) {
    if (c.reasons.length === 0 && c.user) {
      rows.push({ row: c.row, user: c.user });
    } else {
      problems.push({
        row: c.row,
        pk: c.pk,
        username: c.username,
        reasons: c.reasons,
      });
    }
  }
  return { total: candidates.length, ignored, rows, problems };
}

function checkRow(entry: unknown, row: number, now: Date): Candidate {
  if (!isRecord(entry) || !isRecord(entry.fields)) {
    return {
      row,
      pk: undefined,
      username: undefined,
      key: undefined,
      reasons: ['not a dumpdata record with "fields"'],
      user: undefined,
    };
  }
  const f = entry.fields;
  const pk =
    typeof entry.pk === 'number' || typeof entry.pk === 'string'
      ? String(entry.pk)
      : undefined;
  const reasons: string[] = [];
  const rawUsername = typeof f.username === 'string' ? f.username : undefined;

  const username =
    rawUsername === undefined ? undefined : parseUsername(rawUsername);
  if (username === undefined) {
    reasons.push('username is missing');
  } else if (!username.ok) {
    reasons.push(`invalid username: it ${username.problem}`);
  }
  const password = storedHashFromDjango(f.password);
  if (!password.ok) {
    reasons.push(password.reason);
  }
  const email = optionalString(f.email, 'email', reasons);
  const parsedEmail = parseEmail(email);
  if (!parsedEmail.ok) {
    reasons.push(`invalid email: it ${parsedEmail.problem}`);
  }
  const name = [
    optionalString(f.first_name, 'first_name', reasons),
    optionalString(f.last_name, 'last_name', reasons),
  ]
    .filter((part) => part !== undefined && part.trim() !== '')
    .join(' ');
  const displayName = parseDisplayName(name);
  if (!displayName.ok) {
    reasons.push(`invalid name: it ${displayName.problem}`);
  }
  let active = true;
  if (f.is_active !== undefined) {
    if (typeof f.is_active === 'boolean') {
      active = f.is_active;
    } else {
      reasons.push('is_active is not true or false');
    }
  }
  const createdAt = djangoDate(f.date_joined, 'date_joined', reasons) ?? now;
  const lastLoginAt = djangoDate(f.last_login, 'last_login', reasons);

  const valid =
    reasons.length === 0 &&
    username?.ok &&
    password.ok &&
    parsedEmail.ok &&
    displayName.ok;
  return {
    row,
    pk,
    username: username?.ok ? username.value.display : rawUsername,
    key: username?.ok ? username.value.key : undefined,
    reasons,
    user: valid
      ? {
          username: username.value.display,
          usernameNormalized: username.value.key,
          email: parsedEmail.value,
          displayName: displayName.value,
          active,
          passwordHash: password.stored,
          importedId: pk,
          createdAt,
          lastLoginAt,
        }
      : undefined,
  };
}

/**
 * Django's usernames are case-sensitive, the bridge's are not: rows whose keys collide are all
 * refused, so the admin decides which account survives rather than the file order.
 */
function markDuplicates(candidates: readonly Candidate[]): void {
  const byKey = new Map<string, Candidate[]>();
  for (const c of candidates) {
    if (c.key !== undefined) {
      byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
    }
  }
  for (const group of byKey.values()) {
    if (group.length < 2) {
      continue;
    }
    for (const c of group) {
      const others = group.filter((o) => o !== c).map((o) => o.row);
      c.reasons.push(
        `duplicate username: the same as row ${others.join(', ')} when compared case-insensitively`,
      );
    }
  }
}
