import { randomId } from './crypto.js';
import { DEFAULT_ROLES } from './defaults.js';
import type { EmulatorState } from './state.js';

/** `IRole` as `roles.list` shows it. */
export interface RoleView {
  _id: string;
  name: string;
  scope: 'Users' | 'Subscriptions';
  description: string;
  protected: boolean;
  mandatory2fa: boolean;
}

/**
 * Rocket.Chat's default roles with their scopes (`upsertPermissions` → `createOrUpdateProtectedRole`,
 * apps/meteor/app/authorization/server/functions/upsertPermissions.ts): a default role's `_id` is
 * its name; owner, moderator and leader are room roles (scope Subscriptions).
 */
const DEFAULT_SCOPES: Record<string, RoleView['scope']> = {
  owner: 'Subscriptions',
  moderator: 'Subscriptions',
  leader: 'Subscriptions',
};

/**
 * Role names and scopes next to the emulator's role ids (EmulatorState.roles, which users.create
 * and users.update check). Custom roles get a random id, as Rocket.Chat's `roles.create` does, so
 * a client has to resolve names to ids (the role routes take ids only since 7.0).
 */
export class RoleCatalog {
  private readonly custom = new Map<
    string,
    { name: string; scope: RoleView['scope'] }
  >();

  constructor(private readonly state: EmulatorState) {}

  create(name: string, scope: RoleView['scope'] = 'Users'): string {
    if (this.list().some((role) => role.name === name)) {
      throw new Error(`rc-emulator: a role named ${name} exists`);
    }
    const id = randomId();
    this.custom.set(id, { name, scope });
    this.state.roles.add(id);
    return id;
  }

  list(): RoleView[] {
    return [...this.state.roles].map((id) => {
      const custom = this.custom.get(id);
      return {
        _id: id,
        name: custom?.name ?? id,
        scope: custom?.scope ?? DEFAULT_SCOPES[id] ?? 'Users',
        description: '',
        protected: DEFAULT_ROLES.includes(id),
        mandatory2fa: false,
      };
    });
  }

  findById(id: string): RoleView | undefined {
    return this.list().find((role) => role._id === id);
  }
}
