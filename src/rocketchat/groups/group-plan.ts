import type { GroupMappingRule, GroupTargetKind } from '../../config/index.js';
import { groupKey } from './group-names.js';

/** A role, channel, private group or team, as the configuration names it. */
export interface GroupTarget {
  readonly kind: GroupTargetKind;
  readonly name: string;
}

/** A target some rule wants for this person, and the first rule that wants it. */
export interface WantedTarget extends GroupTarget {
  readonly rule: string;
}

/** What the bridge granted and will take away again when no rule wants it any more. */
export interface GrantRecord extends GroupTarget {
  readonly rule: string;
  readonly grantedAt: Date;
  /** The room's id (channels, private groups), to find it again after a rename. */
  readonly roomId?: string;
}

/** The person's roles (ids) and subscriptions as Rocket.Chat reported them. */
export interface CurrentState {
  readonly roleIds: ReadonlySet<string>;
  readonly rooms: readonly {
    readonly rid: string;
    readonly name: string | undefined;
    readonly t: string;
  }[];
}

export interface GroupPlan {
  /** New grants, and recorded ones lost since (removed by hand): to add. */
  readonly grant: readonly WantedTarget[];
  /** Recorded grants no rule wants, still held: to take away. */
  readonly withdraw: readonly GrantRecord[];
  /** Recorded grants no rule wants that are gone already: only the record goes. */
  readonly forget: readonly GrantRecord[];
  /** Recorded, wanted and held. */
  readonly keep: readonly GrantRecord[];
  /** Wanted and held but never granted by the bridge: left alone, and never taken away. */
  readonly preexisting: readonly WantedTarget[];
  /** Recorded rooms now wanted under another name (renamed in Rocket.Chat and in the rules). */
  readonly renamed: readonly { from: GrantRecord; to: GrantRecord }[];
}

export function targetKey(target: GroupTarget): string {
  return `${target.kind}:${target.name}`;
}

/** Whether `rule` applies to someone in `groups` who signed in through `source`. */
export function ruleMatches(
  rule: GroupMappingRule,
  groupKeys: ReadonlySet<string>,
  source: string,
): boolean {
  if (
    rule.sources !== undefined &&
    !rule.sources.some((s) => source === s || source.startsWith(`${s}:`))
  ) {
    return false;
  }
  return rule.groups.some((group) => groupKeys.has(groupKey(group)));
}

/** Every target the rules give to someone in `groups`, keyed by targetKey, first rule first. */
export function wantedTargets(
  rules: readonly GroupMappingRule[],
  groups: readonly string[],
  source: string,
): { wanted: Map<string, WantedTarget>; matchedRules: string[] } {
  const keys = new Set(groups.map(groupKey));
  const wanted = new Map<string, WantedTarget>();
  const matchedRules: string[] = [];
  for (const rule of rules) {
    if (!ruleMatches(rule, keys, source)) {
      continue;
    }
    matchedRules.push(rule.id);
    const add = (kind: GroupTargetKind, names: readonly string[]) => {
      for (const name of names) {
        const target = { kind, name, rule: rule.id };
        const key = targetKey(target);
        if (!wanted.has(key)) {
          wanted.set(key, target);
        }
      }
    };
    add('role', rule.roles);
    add('channel', rule.channels);
    add('privateGroup', rule.privateGroups);
    add('team', rule.teams);
  }
  return { wanted, matchedRules };
}

/** Whether the person holds `target` now; roles are compared by id once resolved. */
export function holds(
  current: CurrentState,
  target: GroupTarget & { readonly roomId?: string },
  roleId: (name: string) => string | undefined,
): boolean {
  if (target.kind === 'role') {
    const id = roleId(target.name);
    return id !== undefined && current.roleIds.has(id);
  }
  if (target.kind === 'team') {
    // A team's members are the subscribers of its main room, which bears the team's name.
    return current.rooms.some((room) => room.name === target.name);
  }
  const type = target.kind === 'channel' ? 'c' : 'p';
  return current.rooms.some((room) =>
    target.roomId !== undefined
      ? room.rid === target.roomId
      : room.t === type && room.name === target.name,
  );
}

/** The difference between what the rules want and what is recorded and held. */
export function planChanges(
  wanted: ReadonlyMap<string, WantedTarget>,
  grants: readonly GrantRecord[],
  current: CurrentState,
  roleId: (name: string) => string | undefined,
): GroupPlan {
  const recorded = new Map(grants.map((g) => [targetKey(g), g]));
  const grant: WantedTarget[] = [];
  const keep: GrantRecord[] = [];
  const preexisting: WantedTarget[] = [];
  const renamed: { from: GrantRecord; to: GrantRecord }[] = [];
  const consumed = new Set<string>();
  for (const [key, target] of wanted) {
    const record = recorded.get(key);
    const before = record
      ? undefined
      : renamedFrom(target, recorded, wanted, current);
    if (before !== undefined) {
      consumed.add(targetKey(before));
      renamed.push({ from: before, to: { ...before, name: target.name } });
    } else if (record !== undefined) {
      if (holds(current, record, roleId)) {
        keep.push(record);
      } else {
        grant.push(target);
      }
    } else if (holds(current, target, roleId)) {
      preexisting.push(target);
    } else {
      grant.push(target);
    }
  }
  const withdraw: GrantRecord[] = [];
  const forget: GrantRecord[] = [];
  for (const [key, record] of recorded) {
    if (wanted.has(key) || consumed.has(key)) {
      continue;
    }
    (holds(current, record, roleId) ? withdraw : forget).push(record);
  }
  return { grant, withdraw, forget, keep, preexisting, renamed };
}

/**
 * The record of a room the person holds under `target`'s name but that the bridge recorded under
 * an old name no rule wants any more: the room was renamed, and the rule with it.
 */
function renamedFrom(
  target: WantedTarget,
  recorded: ReadonlyMap<string, GrantRecord>,
  wanted: ReadonlyMap<string, WantedTarget>,
  current: CurrentState,
): GrantRecord | undefined {
  if (target.kind !== 'channel' && target.kind !== 'privateGroup') {
    return undefined;
  }
  const type = target.kind === 'channel' ? 'c' : 'p';
  const rid = current.rooms.find(
    (room) => room.t === type && room.name === target.name,
  )?.rid;
  if (rid === undefined) {
    return undefined;
  }
  return [...recorded.entries()].find(
    ([key, record]) =>
      record.kind === target.kind && record.roomId === rid && !wanted.has(key),
  )?.[1];
}
