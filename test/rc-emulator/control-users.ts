import { ControlTokens, toDate, type DateInput } from './control-tokens.js';
import {
  hashLoginToken,
  hashPassword,
  newTotpSecret,
  randomId,
  randomSecret,
} from './core/crypto.js';
import { insertUser, randomPassword } from './core/user-admin.js';
import type { UserDoc } from './core/users.store.js';

export interface CreateUserSpec {
  username?: string;
  email?: string;
  name?: string;
  /** Clear password; a policy-compliant random one when omitted. */
  password?: string;
  roles?: string[];
  type?: 'user' | 'bot' | 'app';
  active?: boolean;
  /** Whether the e-mail is verified (default false, as `users.create`). */
  verified?: boolean;
  /** Enable TOTP 2FA (the secret is returned). */
  totp?: boolean;
  /** Force e-mail 2FA on/off (default: `Accounts_TwoFactorAuthentication_By_Email_Auto_Opt_In`). */
  email2fa?: boolean;
  /** Create a personal access token (default name `bridge`, `bypassTwoFactor: true`). */
  pat?: boolean | { name?: string; bypassTwoFactor?: boolean };
  /** Also issue a resume token, as a login would. */
  resumeToken?: boolean;
  /** Set `services.iframe.token`. */
  iframeToken?: string;
  /** Account creation date (drives the 2FA "remember after registration" window). */
  createdAt?: DateInput;
  _id?: string;
}

export interface CreatedUser {
  userId: string;
  username: string;
  email: string;
  password: string;
  pat?: string;
  patName?: string;
  resumeToken?: string;
  totpSecret?: string;
  iframeToken?: string;
}

const DAY = 24 * 60 * 60 * 1000;

/** User operations of the control API. */
export class ControlUsers extends ControlTokens {
  async createUser(spec: CreateUserSpec = {}): Promise<CreatedUser> {
    const username = spec.username ?? `user-${randomId(8).toLowerCase()}`;
    const email = spec.email ?? `${username.toLowerCase()}@example.org`;
    const password = spec.password ?? randomPassword();
    const user = await insertUser(this.core, {
      _id: spec._id,
      username,
      email,
      name: spec.name ?? username,
      password,
      roles: spec.roles,
      type: spec.type,
      active: spec.active,
      verified: spec.verified,
      createdAt:
        spec.createdAt === undefined ? undefined : toDate(spec.createdAt),
    });
    const created: CreatedUser = {
      userId: user._id,
      username,
      email,
      password,
    };
    if (spec.email2fa !== undefined) {
      await this.core.users.set(user._id, {
        'services.email2fa': { enabled: spec.email2fa, changedAt: new Date() },
      });
    }
    if (spec.totp) {
      created.totpSecret = newTotpSecret();
      await this.core.users.set(user._id, {
        'services.totp': { enabled: true, secret: created.totpSecret },
      });
    }
    if (spec.iframeToken !== undefined) {
      created.iframeToken = spec.iframeToken;
      await this.core.users.set(user._id, {
        'services.iframe.token': spec.iframeToken,
      });
    }
    if (spec.pat) {
      const options = spec.pat === true ? {} : spec.pat;
      created.patName = options.name ?? 'bridge';
      created.pat = randomSecret();
      await this.core.users.pushToken(user._id, {
        hashedToken: hashLoginToken(created.pat),
        type: 'personalAccessToken',
        createdAt: new Date(),
        lastTokenPart: created.pat.slice(-6),
        name: created.patName,
        bypassTwoFactor: options.bypassTwoFactor ?? true,
      });
    }
    if (spec.resumeToken) {
      created.resumeToken = await this.core.accounts.issueResumeToken(user._id);
    }
    return created;
  }

  /** The bridge's usual admin: role `admin`, a `bypassTwoFactor` PAT, an account 30 days old. */
  createAdmin(spec: CreateUserSpec = {}): Promise<CreatedUser> {
    return this.createUser({
      username: `admin-${randomId(6).toLowerCase()}`,
      roles: ['admin'],
      pat: { name: 'bridge', bypassTwoFactor: true },
      createdAt: Date.now() - 30 * DAY,
      ...spec,
    });
  }

  /** A bot account: type `bot`, role `bot` (bypasses rate limits), with a PAT by default. */
  createBot(spec: CreateUserSpec = {}): Promise<CreatedUser> {
    return this.createUser({
      username: `bot-${randomId(6).toLowerCase()}`,
      roles: ['bot'],
      type: 'bot',
      pat: { name: 'bridge', bypassTwoFactor: true },
      createdAt: Date.now() - 30 * DAY,
      ...spec,
    });
  }

  async updateUser(
    userId: string,
    changes: {
      active?: boolean;
      roles?: string[];
      type?: 'user' | 'bot' | 'app';
      name?: string;
      username?: string;
      email?: string;
      verified?: boolean;
      password?: string;
      createdAt?: DateInput;
    },
  ): Promise<void> {
    const set: Record<string, unknown> = {};
    for (const field of [
      'active',
      'roles',
      'type',
      'name',
      'username',
    ] as const) {
      if (changes[field] !== undefined) {
        set[field] = changes[field];
      }
    }
    if (changes.email !== undefined) {
      set.emails = [
        {
          address: changes.email.toLowerCase(),
          verified: changes.verified === true,
        },
      ];
    } else if (changes.verified !== undefined) {
      set['emails.0.verified'] = changes.verified;
    }
    if (changes.password !== undefined) {
      set['services.password.bcrypt'] = await hashPassword(changes.password);
    }
    if (changes.createdAt !== undefined) {
      set.createdAt = toDate(changes.createdAt);
    }
    await this.core.users.set(userId, set);
    if (changes.active === false) {
      // As in Rocket.Chat, deactivation removes every login token.
      await this.core.users.clearTokens(userId);
    }
  }

  /** Sets (string, '' included) or removes (`null`) `services.iframe.token`. */
  async setIframeToken(userId: string, token: string | null): Promise<void> {
    if (token === null) {
      await this.core.users.set(userId, {}, ['services.iframe.token']);
    } else {
      await this.core.users.set(userId, { 'services.iframe.token': token });
    }
  }

  getUser(userId: string): Promise<UserDoc | null> {
    return this.core.users.findById(userId);
  }

  findUser(query: {
    username?: string;
    email?: string;
  }): Promise<UserDoc | null> {
    if (query.username) {
      return this.core.users.findByUsername(query.username);
    }
    return query.email
      ? this.core.users.findByEmail(query.email)
      : Promise.resolve(null);
  }

  async deleteUser(userId: string): Promise<void> {
    await this.core.users.collection.deleteOne({ _id: userId });
  }

  deleteAllUsers(): Promise<void> {
    return this.core.users.deleteAll();
  }
}
