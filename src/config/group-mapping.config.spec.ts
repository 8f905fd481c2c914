import { describe, expect, it } from 'vitest';
import { ConfigValidationError, EnvReader, type Env } from './env.js';
import {
  readGroupMappingConfig,
  type GroupMappingConfig,
} from './group-mapping.config.js';

function read(
  env: Env,
  files: Record<string, string> = {},
): { config: GroupMappingConfig; problems: string[] } {
  const r = new EnvReader(env, (path) => {
    if (path in files) {
      return files[path];
    }
    throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  });
  const config = readGroupMappingConfig(r);
  return {
    config,
    problems: r.problems.map((p) => `${p.variable}: ${p.rule}`),
  };
}

describe('group mapping configuration', () => {
  it('should default to no rules, nothing privileged and an hourly verification', () => {
    expect(read({})).toEqual({
      config: {
        rules: [],
        allowedPrivilegedRoles: [],
        verifyIntervalMs: 3_600_000,
      },
      problems: [],
    });
  });

  it('should read the JSON form, inline or as {"rules": [...]} from GROUP_MAPPINGS_FILE', () => {
    const rules = [
      {
        name: 'engineering',
        group: 'cn=Engineering,ou=Groups,dc=example,dc=org',
        roles: ['Support Staff'],
        channels: ['#general', 'dev'],
        privateGroups: ['eng-private'],
        teams: ['Platform'],
      },
      { groups: ['/ops', 'ops-admins'], sources: ['oidc'], channels: ['ops'] },
    ];
    const inline = read({ GROUP_MAPPINGS: JSON.stringify(rules) });
    const file = read(
      { GROUP_MAPPINGS_FILE: '/run/config/mappings.json' },
      {
        '/run/config/mappings.json': `${JSON.stringify({ rules }, null, 2)}\n`,
      },
    );
    for (const { config, problems } of [inline, file]) {
      expect(problems).toEqual([]);
      expect(config.rules).toEqual([
        {
          id: 'engineering',
          groups: ['cn=Engineering,ou=Groups,dc=example,dc=org'],
          sources: undefined,
          roles: ['Support Staff'],
          channels: ['general', 'dev'],
          privateGroups: ['eng-private'],
          teams: ['Platform'],
        },
        {
          id: 'rule-2',
          groups: ['/ops', 'ops-admins'],
          sources: ['oidc'],
          roles: [],
          channels: ['ops'],
          privateGroups: [],
          teams: [],
        },
      ]);
    }
  });

  it('should read the compact form, a DN with its commas included', () => {
    const { config, problems } = read({
      GROUP_MAPPINGS:
        'cn=Admins,ou=Groups,dc=example,dc=org => role:helpdesk channel:ops private-group:admins team:Ops | developers => channel:dev',
    });
    expect(problems).toEqual([]);
    expect(
      config.rules.map((r) => [
        r.id,
        r.groups,
        r.roles,
        r.channels,
        r.privateGroups,
        r.teams,
      ]),
    ).toEqual([
      [
        'rule-1',
        ['cn=Admins,ou=Groups,dc=example,dc=org'],
        ['helpdesk'],
        ['ops'],
        ['admins'],
        ['Ops'],
      ],
      ['rule-2', ['developers'], [], ['dev'], [], []],
    ]);
  });

  it('should refuse admin, bot and app unless GROUP_MAPPINGS_ALLOW_PRIVILEGED_ROLES names them', () => {
    const mappings = JSON.stringify([
      { group: 'a', roles: ['Admin'] },
      { group: 'b', roles: ['bot', 'app'] },
    ]);
    expect(read({ GROUP_MAPPINGS: mappings }).problems).toEqual([
      'GROUP_MAPPINGS: rule 1 grants admin: refused unless GROUP_MAPPINGS_ALLOW_PRIVILEGED_ROLES names it',
      'GROUP_MAPPINGS: rule 2 grants bot, app: refused unless GROUP_MAPPINGS_ALLOW_PRIVILEGED_ROLES names it',
    ]);
    const allowed = read({
      GROUP_MAPPINGS: mappings,
      GROUP_MAPPINGS_ALLOW_PRIVILEGED_ROLES: 'admin, bot',
    });
    expect(allowed.problems).toEqual([
      'GROUP_MAPPINGS: rule 2 grants app: refused unless GROUP_MAPPINGS_ALLOW_PRIVILEGED_ROLES names it',
    ]);
    expect(allowed.config.rules).toEqual([]);
    const all = read({
      GROUP_MAPPINGS: mappings,
      GROUP_MAPPINGS_ALLOW_PRIVILEGED_ROLES: 'admin,bot,app',
    });
    expect(all.problems).toEqual([]);
    expect(all.config.rules).toHaveLength(2);
    expect(
      read({ GROUP_MAPPINGS_ALLOW_PRIVILEGED_ROLES: 'admin,owner' }).problems,
    ).toEqual([
      'GROUP_MAPPINGS_ALLOW_PRIVILEGED_ROLES: may only list admin, bot and app',
    ]);
  });

  it('should report each broken rule on one line, naming the rule and never the value', () => {
    const { problems, config } = read({
      GROUP_MAPPINGS: JSON.stringify([
        { group: 'secret-group-name', chanels: ['x'] },
        { group: 'g' },
        { roles: ['x'] },
        { group: 'g', roles: ['moderator'] },
        { name: 'same', group: 'g', channels: ['a b'] },
        { name: 'same', group: 'g', teams: ['t'] },
        { group: 'g', group2: 1, teams: ['t'] },
        { group: ['g'], teams: ['t'] },
      ]),
    });
    expect(config.rules).toEqual([]);
    expect(problems).toEqual([
      'GROUP_MAPPINGS: rule 1: has unknown keys (allowed: name, group, groups, source, sources, roles, channels, privateGroups, teams); check the spelling',
      'GROUP_MAPPINGS: rule 2: grants nothing: give roles, channels, privateGroups or teams',
      'GROUP_MAPPINGS: rule 3: needs a group (or groups) to match',
      'GROUP_MAPPINGS: rule 5: channels must be names without spaces',
      'GROUP_MAPPINGS: rule 7: has unknown keys (allowed: name, group, groups, source, sources, roles, channels, privateGroups, teams); check the spelling',
      'GROUP_MAPPINGS: rule 8: group must be a list of at most 100 non-empty names (no surrounding spaces, at most 1024 characters)',
      'GROUP_MAPPINGS: rule 4: owner, moderator and leader are room roles in Rocket.Chat, not workspace roles',
    ]);
    expect(problems.join('\n')).not.toContain('secret-group-name');
  });

  it('should refuse unreadable forms, both variables at once, and a bad interval', () => {
    expect(read({ GROUP_MAPPINGS: '[{"group": ' }).problems).toEqual([
      'GROUP_MAPPINGS: is not valid JSON',
    ]);
    expect(read({ GROUP_MAPPINGS: '{"rule": []}' }).problems).toEqual([
      'GROUP_MAPPINGS: must be a JSON list of rules or {"rules": [...]}',
    ]);
    expect(
      read({ GROUP_MAPPINGS: 'developers -> channel:dev' }).problems,
    ).toEqual(['GROUP_MAPPINGS: rule 1: must read "<group> => kind:name ..."']);
    expect(read({ GROUP_MAPPINGS: 'developers => room:dev' }).problems).toEqual(
      [
        'GROUP_MAPPINGS: rule 1: targets must be role:<name>, channel:<name>, private-group:<name> or team:<name>',
      ],
    );
    expect(
      read(
        { GROUP_MAPPINGS: '[]', GROUP_MAPPINGS_FILE: '/m.json' },
        { '/m.json': '[]' },
      ).problems,
    ).toEqual([
      'GROUP_MAPPINGS: set either GROUP_MAPPINGS or GROUP_MAPPINGS_FILE, not both',
    ]);
    expect(read({ GROUP_MAPPINGS_FILE: '/nowhere.json' }).problems).toEqual([
      'GROUP_MAPPINGS_FILE: names a file that cannot be read (ENOENT)',
    ]);
    expect(read({ GROUP_SYNC_VERIFY_INTERVAL: 'soon' }).problems).toEqual([
      'GROUP_SYNC_VERIFY_INTERVAL: must be a duration such as 500ms, 30s, 15m, 12h or 7d',
    ]);
  });

  it('should stop the start-up through loadConfig like any other problem', async () => {
    const { loadConfig } = await import('./configuration.js');
    expect(() =>
      loadConfig({
        MONGODB_URI: 'mongodb://db/bridge',
        ROCKETCHAT_URL: 'https://chat.example.org',
        ROCKETCHAT_USER_ID: 'adminid',
        ROCKETCHAT_AUTH_TOKEN: 'pat-value-that-is-secret',
        SESSION_SECRET: 'abcdefghijklmnopqrstuvwxyz0123456789ABCD',
        TOKEN_ENCRYPTION_KEY: 'bMXvzX2g3c8yq6J0v7kP1n4Rz9sT5wQe2aYh8LdF0uc=',
        PUBLIC_URL: 'https://sso.example.org',
        GROUP_MAPPINGS: 'admins => role:admin',
      }),
    ).toThrow(ConfigValidationError);
  });
});
