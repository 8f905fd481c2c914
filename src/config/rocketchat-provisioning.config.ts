import type { EnvReader } from './env.js';

/**
 * How a bridge user without a linked Rocket.Chat account gets one, tried in this order:
 * `username` links an existing account of the same (normalised) user name, `email` one whose
 * verified e-mail address equals the user's, `create` makes a new account.
 */
export type LinkRule = 'username' | 'email' | 'create';
const LINK_RULES: readonly LinkRule[] = ['username', 'email', 'create'];

/** Whether a profile field is written once, at creation, or kept in step at every login. */
export type SyncMode = 'always' | 'on-create';

export interface ProvisioningConfig {
  readonly linkPolicy: readonly LinkRule[];
  /** Rocket.Chat's UTF8_User_Names_Validation (the characters a user name may contain). */
  readonly usernamePattern: string;
  /** For users without a usable address: `<rc username>@<domain>` (Rocket.Chat requires one). */
  readonly fallbackEmailDomain: string;
  /** Roles of accounts the bridge creates. */
  readonly roles: readonly string[];
  readonly joinDefaultChannels: boolean;
  readonly syncName: SyncMode;
  readonly syncEmail: SyncMode;
  /** Template of the avatar URL (`{username}`, `{email_md5}`...); undefined = leave avatars alone. */
  readonly avatarUrl: string | undefined;
  readonly syncAvatar: SyncMode;
}

/** Placeholders ROCKETCHAT_AVATAR_URL may contain. */
export const AVATAR_PLACEHOLDERS = [
  'username',
  'rc_username',
  'user_id',
  'email',
  'email_md5',
  'email_sha256',
] as const;

/** Roles a bridge never hands out: it must not mint tokens for privileged accounts it made. */
const FORBIDDEN_ROLES = new Set(['admin', 'bot', 'app']);

export function readProvisioningConfig(r: EnvReader): ProvisioningConfig {
  const syncMode = (name: string, fallback: SyncMode): SyncMode =>
    r.oneOf(name, ['always', 'on-create'] as const, fallback);
  return {
    linkPolicy: readLinkPolicy(r),
    usernamePattern: readUsernamePattern(r),
    fallbackEmailDomain: r.string('ROCKETCHAT_FALLBACK_EMAIL_DOMAIN', {
      default: 'rc-bridge.invalid',
      maxLength: 200,
      pattern: /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
      patternRule: 'must be a domain name such as users.example.org',
    }),
    roles: readRoles(r),
    joinDefaultChannels: r.bool('ROCKETCHAT_JOIN_DEFAULT_CHANNELS', true),
    syncName: syncMode('ROCKETCHAT_SYNC_NAME', 'always'),
    syncEmail: syncMode('ROCKETCHAT_SYNC_EMAIL', 'always'),
    avatarUrl: readAvatarUrl(r),
    syncAvatar: syncMode('ROCKETCHAT_SYNC_AVATAR', 'always'),
  };
}

function readLinkPolicy(r: EnvReader): LinkRule[] {
  const entries = r.list('ROCKETCHAT_LINK_POLICY');
  if (entries === undefined) {
    return ['create'];
  }
  const rules: LinkRule[] = [];
  for (const item of entries.items) {
    const rule = LINK_RULES.find((known) => known === item.toLowerCase());
    if (rule === undefined) {
      r.fail(
        entries.name,
        `must list some of: ${LINK_RULES.join(', ')} (comma-separated)`,
      );
      return ['create'];
    }
    if (!rules.includes(rule)) {
      rules.push(rule);
    }
  }
  if (rules.length === 0) {
    r.fail(entries.name, 'must list at least one of: username, email, create');
    return ['create'];
  }
  // Always tried in the documented order, whatever order the list was written in.
  return LINK_RULES.filter((rule) => rules.includes(rule));
}

function readUsernamePattern(r: EnvReader): string {
  const pattern = r.string('ROCKETCHAT_USERNAME_PATTERN', {
    default: '[0-9a-zA-Z-_.]+',
    maxLength: 500,
  });
  try {
    const compiled = new RegExp(`^(?:${pattern})$`, 'u');
    if (!compiled.test('user')) {
      r.fail(
        'ROCKETCHAT_USERNAME_PATTERN',
        'must accept plain ASCII user names such as "user"',
      );
    }
  } catch {
    r.fail(
      'ROCKETCHAT_USERNAME_PATTERN',
      'must be a valid regular expression (the value of Rocket.Chat\'s "UTF8 Usernames Validation")',
    );
    return '[0-9a-zA-Z-_.]+';
  }
  return pattern;
}

function readRoles(r: EnvReader): string[] {
  const entries = r.list('ROCKETCHAT_DEFAULT_ROLES');
  if (entries === undefined) {
    return ['user'];
  }
  const roles = [...new Set(entries.items)];
  for (const role of roles) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(role)) {
      r.fail(entries.name, 'must be role names (letters, digits, _ . -)');
      return ['user'];
    }
    if (FORBIDDEN_ROLES.has(role.toLowerCase())) {
      r.fail(
        entries.name,
        'must not contain admin, bot or app: the bridge never creates privileged accounts',
      );
      return ['user'];
    }
  }
  if (roles.length === 0) {
    r.fail(entries.name, 'must list at least one role');
    return ['user'];
  }
  return roles;
}

function readAvatarUrl(r: EnvReader): string | undefined {
  const value = r.string('ROCKETCHAT_AVATAR_URL', { maxLength: 2000 });
  if (value === undefined) {
    return undefined;
  }
  const unknown = [...value.matchAll(/\{([^{}]*)\}/g)]
    .map((m) => m[1])
    .filter(
      (name) => !(AVATAR_PLACEHOLDERS as readonly string[]).includes(name),
    );
  if (unknown.length > 0) {
    r.fail(
      'ROCKETCHAT_AVATAR_URL',
      `may only use the placeholders ${AVATAR_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
    );
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value.replace(/\{[^{}]*\}/g, 'x'));
  } catch {
    r.fail('ROCKETCHAT_AVATAR_URL', 'must be an absolute http(s) URL template');
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    r.fail('ROCKETCHAT_AVATAR_URL', 'must use http or https');
    return undefined;
  }
  return value;
}
