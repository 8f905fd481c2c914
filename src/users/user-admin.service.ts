import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type AuthConfig } from '../config/index.js';
import { PasswordHasher } from './passwords/password-hasher.service.js';
import { passwordPolicyProblem } from './passwords/password-policy.js';
import type { BridgeUser, NewUser } from './bridge-user.js';
import { parseDisplayName, parseEmail, parseUsername } from './user-fields.js';
import { LOCAL_SOURCE } from './user-document.js';
import { parseGroups } from './user-groups.js';
import { UserIdentitiesRepository } from './user-identities.repository.js';
import { UsersRepository } from './users.repository.js';
import {
  GroupsFromSourceError,
  InvalidUserFieldError,
  PasswordPolicyError,
  UserNotFoundError,
} from './users.errors.js';

export interface UserFieldsInput {
  readonly username: string;
  readonly email?: string;
  readonly displayName?: string;
  readonly active?: boolean;
}

export interface CreateUserInput extends UserFieldsInput {
  readonly password: string;
  /** For the group mappings (see docs/group-mappings.md). */
  readonly groups?: readonly string[];
}

/** A change of a local user's groups: replace them all, and/or add and remove some. */
export interface GroupsChange {
  readonly set?: readonly string[];
  readonly add?: readonly string[];
  readonly remove?: readonly string[];
}

/** Fields as stored: normalised and checked. */
export type ValidUserFields = Omit<NewUser, 'passwordHash'>;

/** Administration of bridge users (the CLI's `users` commands): every rule checked here. */
@Injectable()
export class UserAdminService {
  private readonly logger = new Logger(UserAdminService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly identities: UserIdentitiesRepository,
    private readonly hasher: PasswordHasher,
    @InjectConfig('auth') private readonly config: AuthConfig,
  ) {}

  /** Throws InvalidUserFieldError for the first field that breaks its rule. */
  validateFields(input: UserFieldsInput): ValidUserFields {
    const username = parseUsername(input.username);
    if (!username.ok) {
      throw new InvalidUserFieldError('username', username.problem);
    }
    const email = parseEmail(input.email);
    if (!email.ok) {
      throw new InvalidUserFieldError('email', email.problem);
    }
    const displayName = parseDisplayName(input.displayName);
    if (!displayName.ok) {
      throw new InvalidUserFieldError('name', displayName.problem);
    }
    return {
      username: username.value.display,
      usernameNormalized: username.value.key,
      email: email.value,
      displayName: displayName.value,
      active: input.active ?? true,
    };
  }

  /** Throws InvalidUserFieldError when the groups break their rule. */
  validateGroups(groups: readonly string[]): readonly string[] {
    const parsed = parseGroups(groups);
    if (!parsed.ok) {
      throw new InvalidUserFieldError('groups', parsed.problem);
    }
    return parsed.value;
  }

  /** Fields first, then the password policy, then the hash: nothing is hashed for bad input. */
  async create(input: CreateUserInput): Promise<BridgeUser> {
    const fields = this.validateFields(input);
    const groups = this.validateGroups(input.groups ?? []);
    this.checkPassword(input.password);
    let user = await this.users.create({
      ...fields,
      passwordHash: await this.hasher.hash(input.password),
    });
    if (groups.length > 0) {
      await this.identities.setGroups(user.id, groups);
      user = { ...user, groups };
    }
    this.logger.log(`Created user ${user.id}`);
    return user;
  }

  /**
   * Sets, adds and removes groups of a local user (`set` first); returns the user before and
   * after. A user whose source sets its groups (the directory, a provider) is refused.
   */
  async changeGroups(
    username: string,
    change: GroupsChange,
  ): Promise<{ before: BridgeUser; after: BridgeUser }> {
    const before = await this.require(username);
    if (before.source !== LOCAL_SOURCE) {
      throw new GroupsFromSourceError(before.username, before.source);
    }
    const base = change.set ? this.validateGroups(change.set) : before.groups;
    const add = this.validateGroups(change.add ?? []);
    const remove = new Set(this.validateGroups(change.remove ?? []));
    const groups = this.validateGroups(
      [...base, ...add].filter((g) => !remove.has(g)),
    );
    if (!(await this.identities.setGroups(before.id, groups))) {
      throw new UserNotFoundError(username);
    }
    this.logger.log(`Set the groups of user ${before.id}`);
    return { before, after: { ...before, groups } };
  }

  /** Throws PasswordPolicyError when the password may not be set. */
  checkPassword(password: string): void {
    const problem = passwordPolicyProblem(
      password,
      this.config.passwordMinLength,
    );
    if (problem !== undefined) {
      throw new PasswordPolicyError(problem);
    }
  }

  async setPassword(username: string, password: string): Promise<BridgeUser> {
    const user = await this.require(username);
    this.checkPassword(password);
    const hash = await this.hasher.hash(password);
    if (!(await this.users.setPassword(user.id, hash))) {
      throw new UserNotFoundError(username);
    }
    this.logger.log(`Set a new password for user ${user.id}`);
    return user;
  }

  /** Returns whether anything changed (false: it already was in that state). */
  async setActive(username: string, active: boolean): Promise<boolean> {
    const user = await this.require(username);
    if (user.active === active) {
      return false;
    }
    if (!(await this.users.setActive(user.id, active))) {
      throw new UserNotFoundError(username);
    }
    this.logger.log(`${active ? 'Enabled' : 'Disabled'} user ${user.id}`);
    return true;
  }

  list(): Promise<BridgeUser[]> {
    return this.users.list();
  }

  async exists(username: string): Promise<boolean> {
    return (await this.users.findByUsername(username)) !== null;
  }

  async require(username: string): Promise<BridgeUser> {
    const user = await this.users.findByUsername(username);
    if (!user) {
      throw new UserNotFoundError(username);
    }
    return user;
  }
}
