import type { EnvReader } from './env.js';
import {
  parseGroupMappings,
  type GroupMappingRule,
} from './group-mapping-rules.js';

export type {
  GroupMappingRule,
  GroupTargetKind,
} from './group-mapping-rules.js';

export interface GroupMappingConfig {
  /** In configuration order; empty = nothing is granted (earlier grants are withdrawn). */
  readonly rules: readonly GroupMappingRule[];
  /** Of admin, bot and app: the ones rules may grant (none unless named). */
  readonly allowedPrivilegedRoles: readonly string[];
  /**
   * An apply whose wanted roles, rooms and teams are those of the last complete one makes no
   * Rocket.Chat calls, unless this long has passed since Rocket.Chat was last read.
   */
  readonly verifyIntervalMs: number;
}

/** Roles that give power over the whole workspace: only with an explicit allow-list entry. */
const PRIVILEGED_ROLES = ['admin', 'bot', 'app'] as const;
/** Rocket.Chat's room-scoped roles (scope Subscriptions): never workspace-wide. */
const ROOM_ROLES = new Set(['owner', 'moderator', 'leader']);
const MAX_MAPPINGS_CHARS = 1_000_000;

export function readGroupMappingConfig(r: EnvReader): GroupMappingConfig {
  const allowed = readAllowedPrivileged(r);
  return {
    rules: readRules(r, allowed),
    allowedPrivilegedRoles: allowed,
    verifyIntervalMs: r.durationMs('GROUP_SYNC_VERIFY_INTERVAL', {
      default: 3_600_000,
      min: 0,
      max: 30 * 86_400_000,
    }),
  };
}

function readAllowedPrivileged(r: EnvReader): string[] {
  const entries = r.list('GROUP_MAPPINGS_ALLOW_PRIVILEGED_ROLES');
  if (entries === undefined) {
    return [];
  }
  const roles = [...new Set(entries.items.map((item) => item.toLowerCase()))];
  if (
    roles.some(
      (role) => !(PRIVILEGED_ROLES as readonly string[]).includes(role),
    )
  ) {
    r.fail(entries.name, 'may only list admin, bot and app');
    return [];
  }
  return roles;
}

function readRules(
  r: EnvReader,
  allowed: readonly string[],
): GroupMappingRule[] {
  // GROUP_MAPPINGS_FILE (the usual form) is read like any NAME_FILE; the name is kept for messages.
  const variable = r.has('GROUP_MAPPINGS')
    ? 'GROUP_MAPPINGS'
    : 'GROUP_MAPPINGS_FILE';
  const text = r.string('GROUP_MAPPINGS', {
    secret: true,
    maxLength: MAX_MAPPINGS_CHARS,
  });
  if (text === undefined) {
    return [];
  }
  const { rules, problems } = parseGroupMappings(text);
  for (const problem of problems) {
    r.fail(variable, problem);
  }
  const before = r.problems.length;
  rules.forEach((rule) => {
    const where = `rule ${rule.id.replace(/^rule-/, '')}`;
    const roles = rule.roles.map((role) => role.toLowerCase());
    if (roles.some((role) => ROOM_ROLES.has(role))) {
      r.fail(
        variable,
        `${where}: owner, moderator and leader are room roles in Rocket.Chat, not workspace roles`,
      );
    }
    const privileged = roles.filter(
      (role) =>
        (PRIVILEGED_ROLES as readonly string[]).includes(role) &&
        !allowed.includes(role),
    );
    if (privileged.length > 0) {
      r.fail(
        variable,
        `${where} grants ${privileged.join(', ')}: refused unless GROUP_MAPPINGS_ALLOW_PRIVILEGED_ROLES names it`,
      );
    }
  });
  // The start-up stops on any problem; no half-checked rule is ever handed out.
  return problems.length > 0 || r.problems.length > before ? [] : rules;
}
