import {
  hashLoginToken,
  randomSecret,
  sha256Hex,
  verifyPasswordDigest,
} from './crypto.js';
import { MeteorError } from './errors.js';
import type { EmulatorState } from './state.js';
import type { TwoFactor } from './two-factor.js';
import { loginTokensOf, type UserDoc, type UsersStore } from './users.store.js';

/** Meteor's `check()` failure: not a `Meteor.Error` (DDP shows "Match failed [400]"). */
export class MatchError extends Error {
  constructor(message = 'Match failed') {
    super(message);
    this.name = 'MatchError';
  }
}

export type LoginType = 'resume' | 'password' | 'iframe';

export interface LoginSuccess {
  user: UserDoc;
  /** Clear resume token: a new one, or the same one for a resume login. */
  token: string;
  tokenExpires: Date;
  type: LoginType;
}

interface HandlerResult {
  type: LoginType;
  user: UserDoc;
  token?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Meteor's `login` method with Rocket.Chat's handlers and hooks: `resume`, `password`,
 * `iframe` (protocol doc §4.1) and `totp`; errors from handlers become `401 User not found`
 * (Rocket.Chat's override), then the login is validated (active user, 2FA except resume).
 */
export class Accounts {
  constructor(
    private readonly state: EmulatorState,
    private readonly users: UsersStore,
    private readonly twoFactor: TwoFactor,
  ) {}

  tokenExpires(when: Date): Date {
    return new Date(new Date(when).getTime() + this.state.loginExpirationMs());
  }

  /** Inserts a stamped resume token (as Meteor does on login) and enforces the cap. */
  async issueResumeToken(userId: string, when = new Date()): Promise<string> {
    const token = randomSecret();
    const user = await this.users.pushToken(userId, {
      when,
      hashedToken: hashLoginToken(token),
    });
    await this.users.ensureLoginTokensLimit(
      userId,
      this.state.maxLoginTokens(),
      user,
    );
    return token;
  }

  private async resumeHandler(token: unknown): Promise<HandlerResult> {
    if (typeof token !== 'string') {
      throw new MatchError();
    }
    const hashed = hashLoginToken(token);
    const user = await this.users.findByHashedToken(hashed);
    if (!user) {
      throw new MeteorError(
        403,
        "You've been logged out by the server. Please log in again.",
      );
    }
    const entry = loginTokensOf(user).find((t) => t.hashedToken === hashed);
    if (
      entry &&
      'when' in entry &&
      this.tokenExpires(entry.when).getTime() <= Date.now()
    ) {
      throw new MeteorError(
        403,
        'Your session has expired. Please log in again.',
      );
    }
    return { type: 'resume', user, token };
  }

  private async passwordHandler(
    args: Record<string, unknown>,
  ): Promise<HandlerResult> {
    const { user: selector, password } = args;
    const digest =
      typeof password === 'string'
        ? sha256Hex(password)
        : isObject(password) &&
            password.algorithm === 'sha-256' &&
            typeof password.digest === 'string'
          ? password.digest
          : undefined;
    if (digest === undefined || !isObject(selector)) {
      throw new MatchError();
    }
    let user: UserDoc | null = null;
    if (typeof selector.id === 'string') {
      user = await this.users.findById(selector.id);
    } else if (typeof selector.username === 'string') {
      user = await this.users.findByUsername(selector.username);
    } else if (typeof selector.email === 'string') {
      user = await this.users.findByEmail(selector.email);
    } else {
      throw new MatchError();
    }
    if (!user) {
      throw new MeteorError(403, 'User not found');
    }
    if (!user.services?.password?.bcrypt) {
      throw new MeteorError(403, 'User has no password set');
    }
    if (!(await verifyPasswordDigest(digest, user.services.password.bcrypt))) {
      throw new MeteorError(403, 'Incorrect password');
    }
    return { type: 'password', user };
  }

  private async iframeHandler(
    token: unknown,
  ): Promise<HandlerResult | undefined> {
    // `check(result.token, String)`: '' passes, which is the hazard of protocol doc §4.1.
    if (typeof token !== 'string') {
      throw new MatchError();
    }
    const user = await this.users.findByIframeToken(token);
    return user ? { type: 'iframe', user } : undefined;
  }

  private async runHandlers(
    args: Record<string, unknown>,
  ): Promise<HandlerResult> {
    try {
      let result: HandlerResult | undefined;
      if (args.resume !== undefined) {
        result = await this.resumeHandler(args.resume);
      } else if (args.password !== undefined) {
        result = await this.passwordHandler(args);
      } else if (args.iframe) {
        result = await this.iframeHandler(args.token);
      }
      if (!result) {
        throw new MeteorError(400, 'Unrecognized options for login request');
      }
      return result;
    } catch (error) {
      // Rocket.Chat: "Do not disclose if user exists when password is invalid".
      if (error instanceof MeteorError) {
        throw new MeteorError(401, 'User not found');
      }
      throw error;
    }
  }

  /** Rocket.Chat's `Accounts.validateLoginAttempt` + the 2FA `onValidateLogin` hook. */
  private async validate(
    result: HandlerResult,
    code: string | undefined,
  ): Promise<void> {
    const { user } = result;
    if (user.type === 'app') {
      throw new MeteorError(
        'error-app-user-is-not-allowed-to-login',
        'App user is not allowed to login',
      );
    }
    if (user.active !== true) {
      throw new MeteorError(
        'error-user-is-not-activated',
        'User is not activated',
        {
          function: 'Accounts.validateLoginAttempt',
        },
      );
    }
    if (!Array.isArray(user.roles)) {
      throw new MeteorError('error-user-has-no-roles', 'User has no roles', {
        function: 'Accounts.validateLoginAttempt',
      });
    }
    if (result.type !== 'resume') {
      await this.twoFactor.check(
        user,
        { code },
        { disablePasswordFallback: true },
      );
    }
  }

  async login(args: unknown): Promise<LoginSuccess> {
    if (!isObject(args)) {
      throw new MatchError();
    }
    let inner = args;
    let code: string | undefined;
    if (
      isObject(args.totp) &&
      typeof args.totp.code === 'string' &&
      args.totp.code
    ) {
      code = args.totp.code;
      if (!isObject(args.totp.login)) {
        throw new MatchError();
      }
      inner = args.totp.login;
    }
    const result = await this.runHandlers(inner);
    await this.validate(result, code);
    const token =
      result.token ?? (await this.issueResumeToken(result.user._id));
    await this.users.set(result.user._id, { lastLogin: new Date() });
    const fresh = (await this.users.findById(result.user._id)) ?? result.user;
    const entry = loginTokensOf(fresh).find(
      (t) => t.hashedToken === hashLoginToken(token),
    );
    const when = entry && 'when' in entry ? entry.when : new Date();
    return {
      user: fresh,
      token,
      tokenExpires: this.tokenExpires(when),
      type: result.type,
    };
  }
}
