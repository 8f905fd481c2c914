import type { FieldCheck } from './user-fields.js';
import { MAX_GROUP_LENGTH, MAX_GROUPS } from './user-identities.repository.js';

/** Control and invisible formatting characters: never part of a group name an admin types. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/u;

/**
 * Group names an administrator gives a local user (`rc-bridge users add --group`, `users
 * groups`): trimmed, non-empty, printable, at most MAX_GROUP_LENGTH characters, at most
 * MAX_GROUPS in all; duplicates dropped, order kept. Compared with mapping rules exactly, case
 * included (see docs/group-mappings.md).
 */
export function parseGroups(
  input: readonly string[],
): FieldCheck<readonly string[]> {
  const groups = new Set<string>();
  for (const raw of input) {
    const group = raw.normalize('NFC').trim();
    if (group === '') {
      return { ok: false, problem: 'names must not be empty' };
    }
    if (UNPRINTABLE.test(group)) {
      return {
        ok: false,
        problem: 'names must not contain control characters',
      };
    }
    if (group.length > MAX_GROUP_LENGTH) {
      return {
        ok: false,
        problem: `names must be at most ${MAX_GROUP_LENGTH} characters long`,
      };
    }
    groups.add(group);
  }
  if (groups.size > MAX_GROUPS) {
    return { ok: false, problem: `must be at most ${MAX_GROUPS}` };
  }
  return { ok: true, value: [...groups] };
}
