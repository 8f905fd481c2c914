import type { RocketChatConfig } from '../../config/index.js';

export interface NeededPermission {
  readonly name: string;
  /** What the bridge does with it, in a few words. */
  readonly why: string;
}

/**
 * What the bridge's Rocket.Chat account must be allowed, for this configuration: `required` ones
 * fail the doctor, `recommended` ones warn (the bridge works without them, worse).
 */
export function neededPermissions(config: RocketChatConfig): {
  required: NeededPermission[];
  recommended: NeededPermission[];
} {
  const required: NeededPermission[] = [
    { name: 'view-full-other-user-info', why: 'find accounts with users.info' },
    { name: 'edit-other-user-info', why: 'keep names and e-mails in step' },
  ];
  const recommended: NeededPermission[] = [];
  if (config.provisioning.linkPolicy.includes('create')) {
    required.push({ name: 'create-user', why: 'create accounts' });
  }
  if (config.tokens.strategy === 'rest') {
    required.push({
      name: 'user-generate-access-token',
      why: 'users.createToken',
    });
  }
  const all = config.tokens.logoutMode === 'all';
  (all ? required : recommended).push({
    name: 'logout-other-user',
    why: all
      ? 'ROCKETCHAT_LOGOUT_MODE=all'
      : 'only with ROCKETCHAT_LOGOUT_MODE=all',
  });
  if (config.provisioning.avatarUrl !== undefined) {
    required.push({
      name: 'edit-other-user-avatar',
      why: 'ROCKETCHAT_AVATAR_URL',
    });
  }
  recommended.push({
    name: 'api-bypass-rate-limit',
    why: 'otherwise Rocket.Chat allows it 10 calls a minute per endpoint',
  });
  return { required, recommended };
}
