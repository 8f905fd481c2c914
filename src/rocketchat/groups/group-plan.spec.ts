import { describe, expect, it } from 'vitest';
import type { GroupMappingRule } from '../../config/index.js';
import {
  planChanges,
  wantedTargets,
  type CurrentState,
  type GrantRecord,
} from './group-plan.js';

const rule = (over: Partial<GroupMappingRule>): GroupMappingRule => ({
  id: 'r',
  groups: [],
  sources: undefined,
  roles: [],
  channels: [],
  privateGroups: [],
  teams: [],
  ...over,
});

const RULES = [
  rule({
    id: 'eng',
    groups: ['cn=Eng,dc=x'],
    roles: ['dev'],
    channels: ['eng'],
  }),
  rule({
    id: 'ops',
    groups: ['ops'],
    sources: ['oidc'],
    channels: ['eng', 'ops'],
    teams: ['Ops'],
  }),
];
const roleId = (name: string) => (name === 'dev' ? 'dev-id' : undefined);
const grant = (
  kind: GrantRecord['kind'],
  name: string,
  roomId?: string,
): GrantRecord => ({
  kind,
  name,
  rule: 'eng',
  grantedAt: new Date(0),
  ...(roomId ? { roomId } : {}),
});

describe('wantedTargets', () => {
  it('should collect every target of the matching rules once, first rule first, by source', () => {
    const { wanted, matchedRules } = wantedTargets(
      RULES,
      ['CN=eng, DC=X', 'ops'],
      'oidc:entra',
    );
    expect(matchedRules).toEqual(['eng', 'ops']);
    expect([...wanted.values()]).toEqual([
      { kind: 'role', name: 'dev', rule: 'eng' },
      { kind: 'channel', name: 'eng', rule: 'eng' },
      { kind: 'channel', name: 'ops', rule: 'ops' },
      { kind: 'team', name: 'Ops', rule: 'ops' },
    ]);
    expect(wantedTargets(RULES, ['ops'], 'ldap').matchedRules).toEqual([]);
    expect(wantedTargets(RULES, ['ops'], 'oidcx').matchedRules).toEqual([]);
  });
});

describe('planChanges', () => {
  const current: CurrentState = {
    roleIds: new Set(['user', 'dev-id']),
    rooms: [
      { rid: 'r-eng', name: 'eng', t: 'c' },
      { rid: 'r-old', name: 'renamed', t: 'p' },
      { rid: 'r-team', name: 'Ops', t: 'c' },
    ],
  };

  it('should grant what is missing, keep what it granted, and leave alone what was held before', () => {
    const { wanted } = wantedTargets(RULES, ['cn=eng,dc=x', 'ops'], 'oidc');
    const plan = planChanges(
      wanted,
      [grant('channel', 'eng', 'r-eng')],
      current,
      roleId,
    );
    expect(plan.keep.map((g) => g.name)).toEqual(['eng']);
    expect(plan.grant.map((t) => t.name)).toEqual(['ops']);
    expect(plan.preexisting.map((t) => t.name)).toEqual(['dev', 'Ops']);
    expect(plan.withdraw).toEqual([]);
  });

  it('should withdraw only recorded grants, find a renamed room by id, and forget what is gone', () => {
    const plan = planChanges(
      new Map(),
      [
        grant('role', 'dev'),
        grant('privateGroup', 'secret', 'r-old'),
        grant('channel', 'left-by-hand', 'r-gone'),
        grant('role', 'deleted-role'),
      ],
      current,
      roleId,
    );
    expect(plan.withdraw.map((g) => g.name)).toEqual(['dev', 'secret']);
    expect(plan.forget.map((g) => g.name)).toEqual([
      'left-by-hand',
      'deleted-role',
    ]);
  });

  it('should follow a recorded room renamed in Rocket.Chat and in the rules, without kicking anyone', () => {
    const { wanted } = wantedTargets(
      [rule({ id: 'eng', groups: ['g'], privateGroups: ['renamed'] })],
      ['g'],
      'ldap',
    );
    const plan = planChanges(
      wanted,
      [grant('privateGroup', 'secret', 'r-old')],
      current,
      roleId,
    );
    expect(plan.renamed).toEqual([
      {
        from: grant('privateGroup', 'secret', 'r-old'),
        to: grant('privateGroup', 'renamed', 'r-old'),
      },
    ]);
    expect([...plan.withdraw, ...plan.grant, ...plan.preexisting]).toEqual([]);
  });

  it('should grant again a recorded grant removed by hand', () => {
    const { wanted } = wantedTargets(RULES, ['cn=eng,dc=x'], 'ldap');
    const plan = planChanges(
      wanted,
      [grant('role', 'dev'), grant('channel', 'eng', 'r-eng')],
      { roleIds: new Set(['user']), rooms: [] },
      roleId,
    );
    expect(plan.grant.map((t) => t.name)).toEqual(['dev', 'eng']);
  });
});
