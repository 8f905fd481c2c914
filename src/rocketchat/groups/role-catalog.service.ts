import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/index.js';
import {
  RocketChatRoomsApi,
  type RocketChatRole,
} from '../client/rocketchat-rooms-api.service.js';

/** Roles change rarely; one `roles.list` serves every apply for this long. */
const CACHE_MS = 60_000;

/**
 * Rocket.Chat's roles by id and by name. Since 7.0 the role routes take a role's id only; a
 * default role's id is its name, a custom role's is random, so configured names are resolved here.
 */
@Injectable()
export class RoleCatalog {
  private cached: { at: number; roles: RocketChatRole[] } | undefined;

  constructor(
    private readonly api: RocketChatRoomsApi,
    private readonly clock: Clock,
  ) {}

  /** A resolver for this apply: by id first, then by name. */
  async resolver(): Promise<(name: string) => RocketChatRole | undefined> {
    const now = this.clock.now();
    if (this.cached === undefined || now - this.cached.at > CACHE_MS) {
      this.cached = { at: now, roles: await this.api.listRoles() };
    }
    const roles = this.cached.roles;
    return (name) =>
      roles.find((role) => role.id === name) ??
      roles.find((role) => role.name === name);
  }

  /** After a role turned out missing: the next resolver asks Rocket.Chat again. */
  forget(): void {
    this.cached = undefined;
  }
}
