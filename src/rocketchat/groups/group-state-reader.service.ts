import { Injectable } from '@nestjs/common';
import { AdminCredentials } from '../client/admin-credentials.service.js';
import {
  RocketChatRoomsApi,
  type RocketChatRole,
} from '../client/rocketchat-rooms-api.service.js';
import {
  RocketChatError,
  RocketChatRequestError,
} from '../client/rocketchat.errors.js';
import { permissionHint } from './group-failures.js';
import type { TargetAccount } from './group-changes.service.js';
import type { CurrentState } from './group-plan.js';
import { RoleCatalog } from './role-catalog.service.js';

/** Why an account's state could not be read; `gone` when Rocket.Chat no longer has it. */
export class GroupStateError extends Error {
  constructor(
    message: string,
    readonly gone = false,
  ) {
    super(message);
    this.name = 'GroupStateError';
  }
}

export interface AccountState {
  readonly account: TargetAccount;
  readonly current: CurrentState;
  readonly role: (name: string) => RocketChatRole | undefined;
}

/**
 * What Rocket.Chat says about one account now: its roles and rooms (one `users.info` with
 * `includeUserRooms`), and the role catalogue when roles are involved. Refuses the bridge's own
 * account and bots, as provisioning does.
 */
@Injectable()
export class GroupStateReader {
  constructor(
    private readonly api: RocketChatRoomsApi,
    private readonly roles: RoleCatalog,
    private readonly admin: AdminCredentials,
  ) {}

  async read(rcUserId: string, needRoles: boolean): Promise<AccountState> {
    let found;
    try {
      found = await this.api.userWithRooms(rcUserId);
    } catch (error) {
      if (
        error instanceof RocketChatRequestError &&
        /not found/i.test(error.reason ?? '')
      ) {
        throw new GroupStateError(
          `Rocket.Chat user ${rcUserId} no longer exists`,
          true,
        );
      }
      throw readable(error, 'users.info');
    }
    const { user, rooms } = found;
    if (
      user.id === this.admin.userId ||
      (user.type !== undefined && user.type !== 'user')
    ) {
      throw new GroupStateError(
        `Rocket.Chat user ${rcUserId} is a bot or the bridge's own account: group mappings never touch it`,
      );
    }
    if (user.roles === undefined) {
      throw new GroupStateError(permissionHint('users.info'));
    }
    let role: AccountState['role'] = () => undefined;
    if (needRoles) {
      try {
        role = await this.roles.resolver();
      } catch (error) {
        throw readable(error, 'roles.list');
      }
    }
    return {
      account: { id: user.id, username: user.username },
      current: { roleIds: new Set(user.roles), rooms },
      role,
    };
  }

  /** A role turned out missing: ask Rocket.Chat again next time. */
  rolesChanged(): void {
    this.roles.forget();
  }
}

function readable(error: unknown, endpoint: string): GroupStateError {
  if (error instanceof RocketChatError) {
    const permission =
      error.status === 401 ||
      error.status === 403 ||
      (error instanceof RocketChatRequestError &&
        /not-allowed|unauthorized/.test(error.errorType ?? ''));
    return new GroupStateError(
      permission ? permissionHint(endpoint) : error.message,
    );
  }
  return new GroupStateError(
    error instanceof Error ? error.message : String(error),
  );
}
