/** What a rule hands out in Rocket.Chat. */
export type GroupTargetKind = 'role' | 'channel' | 'privateGroup' | 'team';

/** One rule: people in any of `groups` (from one of `sources`, if given) get every target. */
export interface GroupMappingRule {
  /** The rule's `name`, else `rule-<position>`: recorded with every grant it causes. */
  readonly id: string;
  /** As configured; compared by matchesGroup (DNs case-insensitively, other names exactly). */
  readonly groups: readonly string[];
  /** Identity sources the rule is limited to (`ldap`, `oidc`, `local`...); undefined = any. */
  readonly sources: readonly string[] | undefined;
  readonly roles: readonly string[];
  readonly channels: readonly string[];
  readonly privateGroups: readonly string[];
  readonly teams: readonly string[];
}

/** A broken rule: where (`rule 2`) and what, never the configured value. */
export type RuleProblem = string;

const LIST_KEYS = ['roles', 'channels', 'privateGroups', 'teams'] as const;
const KNOWN_KEYS = new Set<string>([
  'name',
  'group',
  'groups',
  'source',
  'sources',
  ...LIST_KEYS,
]);
const COMPACT_KINDS: Record<string, (typeof LIST_KEYS)[number]> = {
  role: 'roles',
  channel: 'channels',
  'private-group': 'privateGroups',
  team: 'teams',
};
const MAX_RULES = 500;
const MAX_LIST = 100;
const MAX_NAME = 256;
const MAX_GROUP = 1024;

/**
 * Parses GROUP_MAPPINGS: JSON (a list of rules, or `{"rules": [...]}`) or the compact form
 * `<group> => role:x channel:y private-group:z team:t | <group> => ...`. Returns the rules read
 * and the problems found; the caller reports them under the variable's name.
 */
export function parseGroupMappings(text: string): {
  rules: GroupMappingRule[];
  problems: RuleProblem[];
} {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return { rules: [], problems: ['is not valid JSON'] };
    }
    const list =
      Array.isArray(parsed) || typeof parsed !== 'object' || parsed === null
        ? parsed
        : (parsed as Record<string, unknown>).rules;
    if (
      !Array.isArray(list) ||
      (!Array.isArray(parsed) && Object.keys(parsed as object).length !== 1)
    ) {
      return {
        rules: [],
        problems: ['must be a JSON list of rules or {"rules": [...]}'],
      };
    }
    return readRules(list);
  }
  return readRules(compactRules(trimmed));
}

/** `a => role:x channel:y | b => team:z` as the objects the JSON form would hold. */
function compactRules(text: string): unknown[] {
  return text
    .split('|')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const arrow = part.indexOf('=>');
      if (arrow === -1) {
        return { compactError: 'must read "<group> => kind:name ..."' };
      }
      const rule: Record<string, unknown> = {
        group: part.slice(0, arrow).trim(),
      };
      for (const token of part
        .slice(arrow + 2)
        .split(/\s+/)
        .filter(Boolean)) {
        const colon = token.indexOf(':');
        const key = COMPACT_KINDS[token.slice(0, colon)];
        if (colon === -1 || key === undefined) {
          return {
            compactError:
              'targets must be role:<name>, channel:<name>, private-group:<name> or team:<name>',
          };
        }
        ((rule[key] ??= []) as string[]).push(token.slice(colon + 1));
      }
      return rule;
    });
}

function readRules(list: unknown[]): {
  rules: GroupMappingRule[];
  problems: RuleProblem[];
} {
  const problems: RuleProblem[] = [];
  if (list.length > MAX_RULES) {
    return { rules: [], problems: [`must have at most ${MAX_RULES} rules`] };
  }
  const rules: GroupMappingRule[] = [];
  const ids = new Set<string>();
  list.forEach((raw, index) => {
    const where = `rule ${index + 1}`;
    const rule = readRule(raw, index, (message) =>
      problems.push(`${where}: ${message}`),
    );
    if (rule === undefined) {
      return;
    }
    if (ids.has(rule.id)) {
      problems.push(`${where}: its name is used by another rule`);
      return;
    }
    ids.add(rule.id);
    rules.push(rule);
  });
  return { rules, problems };
}

function readRule(
  raw: unknown,
  index: number,
  fail: (rule: string) => void,
): GroupMappingRule | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail('must be an object');
    return undefined;
  }
  const input = raw as Record<string, unknown>;
  if (typeof input.compactError === 'string') {
    fail(input.compactError);
    return undefined;
  }
  const unknown = Object.keys(input).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) {
    fail(
      `has unknown keys (allowed: ${[...KNOWN_KEYS].join(', ')}); check the spelling`,
    );
    return undefined;
  }
  let ok = true;
  const problem = (rule: string): undefined => {
    ok = false;
    fail(rule);
    return undefined;
  };
  const name = input.name;
  if (
    name !== undefined &&
    (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name))
  ) {
    problem('name must be 1 to 64 of A-Z a-z 0-9 _ . -');
  }
  const groups = oneOrMany(input, 'group', 'groups', MAX_GROUP, problem);
  if (groups !== undefined && groups.length === 0) {
    problem('needs a group (or groups) to match');
  }
  const sources = oneOrMany(input, 'source', 'sources', 64, problem);
  const lists: Record<(typeof LIST_KEYS)[number], string[]> = {
    roles: [],
    channels: [],
    privateGroups: [],
    teams: [],
  };
  for (const key of LIST_KEYS) {
    const values = stringList(input[key], key, MAX_NAME, problem);
    lists[key] = (values ?? []).map((value) =>
      key === 'channels' || key === 'privateGroups'
        ? value.replace(/^#/, '')
        : value,
    );
    if (
      key !== 'roles' &&
      lists[key].some((value) => value === '' || /\s/.test(value))
    ) {
      problem(`${key} must be names without spaces`);
    }
  }
  if (LIST_KEYS.every((key) => lists[key].length === 0)) {
    problem('grants nothing: give roles, channels, privateGroups or teams');
  }
  if (!ok || groups === undefined) {
    return undefined;
  }
  return {
    id: typeof name === 'string' ? name : `rule-${index + 1}`,
    groups,
    sources: sources?.length ? sources : undefined,
    ...lists,
  };
}

/** `key` (one string) or `plural` (a list), not both. */
function oneOrMany(
  input: Record<string, unknown>,
  key: string,
  plural: string,
  max: number,
  problem: (rule: string) => undefined,
): string[] | undefined {
  if (input[key] !== undefined && input[plural] !== undefined) {
    return problem(`give ${key} or ${plural}, not both`);
  }
  if (input[key] !== undefined) {
    return stringList([input[key]], key, max, problem);
  }
  return stringList(input[plural] ?? [], plural, max, problem);
}

function stringList(
  value: unknown,
  key: string,
  max: number,
  problem: (rule: string) => undefined,
): string[] | undefined {
  if (value === undefined) {
    return [];
  }
  if (
    !Array.isArray(value) ||
    value.length > MAX_LIST ||
    value.some(
      (item) =>
        typeof item !== 'string' ||
        item.trim() === '' ||
        item !== item.trim() ||
        item.length > max,
    )
  ) {
    return problem(
      `${key} must be a list of at most ${MAX_LIST} non-empty names (no surrounding spaces, at most ${max} characters)`,
    );
  }
  return [...new Set(value as string[])];
}
