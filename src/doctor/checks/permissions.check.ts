import { Injectable } from '@nestjs/common';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import { RocketChatHttp, type RocketChatAuth } from '../../rocketchat/index.js';
import { fail, ok, warn, type CheckResult } from '../doctor-check.js';
import { describeError } from './describe-error.js';
import { neededPermissions } from './permissions.js';

/** The bridge's account holds what this configuration needs (`permissions.listAll` + its roles). */
@Injectable()
export class PermissionsCheck {
  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly http: RocketChatHttp,
  ) {}

  async run(
    auth: RocketChatAuth,
    roles: readonly string[],
  ): Promise<CheckResult> {
    const id = 'rocketchat.permissions';
    const title = 'Permissions';
    let granted: Set<string>;
    try {
      const body = await this.http.call({
        method: 'GET',
        endpoint: 'permissions.listAll',
        auth,
      });
      const update = Array.isArray(body.update) ? body.update : [];
      granted = new Set(
        update.flatMap((entry: unknown) => {
          const p = entry as { _id?: unknown; roles?: unknown };
          return typeof p._id === 'string' &&
            Array.isArray(p.roles) &&
            p.roles.some((r) => roles.includes(r as string))
            ? [p._id]
            : [];
        }),
      );
    } catch (error) {
      return fail(
        id,
        title,
        `could not read Rocket.Chat's permissions: ${describeError(error)}`,
        'see the lines above; permissions.listAll needs only a valid token',
      );
    }
    const { required, recommended } = neededPermissions(this.config);
    const missing = required.filter((p) => !granted.has(p.name));
    const missingRecommended = recommended.filter((p) => !granted.has(p.name));
    const ofRoles = `(roles: ${roles.join(', ') || 'none'})`;
    const list = (items: readonly { name: string; why: string }[]) =>
      items.map((p) => `${p.name} (${p.why})`).join(', ');
    if (missing.length > 0) {
      return fail(
        id,
        title,
        `the bridge's account lacks ${list(missing)} ${ofRoles}`,
        'grant them to one of its roles in Administration > Workspace > Permissions (the admin role has them all)',
      );
    }
    if (missingRecommended.length > 0) {
      return warn(
        id,
        title,
        `the bridge's account lacks ${list(missingRecommended)} ${ofRoles}`,
        'grant them to one of its roles (admin has them all; bot and app have api-bypass-rate-limit)',
      );
    }
    return ok(
      id,
      title,
      `${[...required, ...recommended].map((p) => p.name).join(', ')} granted ${ofRoles}`,
    );
  }
}
