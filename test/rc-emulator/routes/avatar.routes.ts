import type { RouteContext, RouteDefinition } from '../core/context.js';
import { randomId } from '../core/crypto.js';
import {
  failure,
  forbidden,
  MeteorError,
  success,
  unauthorized,
  type ApiResult,
} from '../core/errors.js';
import type { UserDoc } from '../core/users.store.js';
import { obj, str } from '../core/validation.js';

/**
 * `users.setAvatar` with `avatarUrl` (JSON body): another user's avatar needs
 * `edit-other-user-avatar`. Rocket.Chat downloads the image; the emulator only checks the URL and
 * records it in `avatarUrl` (an emulator-only field) with `avatarOrigin: 'url'` and a new ETag.
 */
async function setAvatar(ctx: RouteContext): Promise<ApiResult> {
  const caller = ctx.user as UserDoc;
  const { userId, username, avatarUrl } = ctx.body;
  let target: UserDoc | null = caller;
  if (typeof userId === 'string' && userId) {
    target = await ctx.core.users.findById(userId);
  } else if (typeof username === 'string' && username) {
    target = await ctx.core.users.findByUsername(username);
  }
  if (!target) {
    return failure('User not found');
  }
  if (
    target._id !== caller._id &&
    !ctx.core.state.hasPermission(caller.roles, 'edit-other-user-avatar')
  ) {
    return ctx.version.major < 8
      ? unauthorized()
      : forbidden(undefined, ctx.version);
  }
  let url: URL | undefined;
  try {
    url = typeof avatarUrl === 'string' ? new URL(avatarUrl) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new MeteorError('error-avatar-invalid-url', 'Invalid avatar URL', {
      method: 'setAvatarFromService',
      url: avatarUrl,
    });
  }
  await ctx.core.users.set(target._id, {
    avatarOrigin: 'url',
    avatarETag: randomId(17),
    avatarUrl: url.href,
  });
  return success();
}

export const avatarRoutes: RouteDefinition[] = [
  {
    key: 'users.setAvatar',
    method: 'POST',
    authRequired: true,
    body: obj({ userId: str(), username: str(), avatarUrl: str() }),
    handler: setAvatar,
  },
];
