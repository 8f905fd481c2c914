import type { BridgeUser, SourceProfile } from '../users/index.js';

/** What a refresh from the source changes in a bridge user (names of fields, groups in and out). */
export interface ProfileChanges {
  /** `email`, `displayName`, `groups`: those that differ. */
  readonly fields: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export function profileChanges(
  user: Pick<BridgeUser, 'email' | 'displayName' | 'groups'>,
  profile: SourceProfile,
): ProfileChanges {
  const before = new Set(user.groups);
  const after = new Set(profile.groups);
  const added = [...after].filter((g) => !before.has(g));
  const removed = [...before].filter((g) => !after.has(g));
  const fields: string[] = [];
  if (user.email !== profile.email) {
    fields.push('email');
  }
  if (user.displayName !== profile.displayName) {
    fields.push('displayName');
  }
  if (
    added.length > 0 ||
    removed.length > 0 ||
    user.groups.length !== profile.groups.length ||
    user.groups.some((g, i) => g !== profile.groups[i])
  ) {
    fields.push('groups');
  }
  return { fields, added, removed };
}
