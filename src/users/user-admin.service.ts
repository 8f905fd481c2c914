import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type AuthConfig } from '../config/index.js';
import { PasswordHasher } from './passwords/password-hasher.service.js';
import { passwordPolicyProblem } from './passwords/password-policy.js';
import type { BridgeUser, NewUser } from './bridge-user.js';
import { parseDisplayName, parseEmail, parseUsername } from './user-fields.js';
import { UsersRepository } from './users.repository.js';
import {
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
}

/** Fields as stored: normalised and checked. */
export type ValidUserFields = Omit<NewUser, 'passwordHash'>;

/** Administration of bridge users (the CLI's `users` commands): every rule checked here. */
@Injectable()
export class UserAdminService {
  private readonly logger = new Logger(UserAdminService.name);

  constructor(
    private readonly users: UsersRepository,
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

  /** Fields first, then the password policy, then the hash: nothing is hashed for bad input. */
  async create(input: CreateUserInput): Promise<BridgeUser> {
    const fields = this.validateFields(input);
    this.checkPassword(input.password);
    const user = await this.users.create({
      ...fields,
      passwordHash: await this.hasher.hash(input.password),
    });
    this.logger.log(`Created user ${user.id}`);
    return user;
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
