import type { EmulatorCore } from './core/context.js';
import { hashLoginToken } from './core/crypto.js';
import { isPersonalAccessToken, loginTokensOf } from './core/users.store.js';

export type DateInput = Date | string | number;

export const toDate = (value: DateInput): Date =>
  value instanceof Date ? value : new Date(value);

export interface TokenView {
  hashedToken: string;
  kind: 'resume' | 'personalAccessToken';
  when?: Date;
  createdAt?: Date;
  name?: string;
  bypassTwoFactor?: boolean;
}

/** Token operations of the control API. */
export class ControlTokens {
  constructor(protected readonly core: EmulatorCore) {}

  async tokens(userId: string): Promise<TokenView[]> {
    const user = await this.core.users.findById(userId);
    return (user ? loginTokensOf(user) : []).map((token) =>
      isPersonalAccessToken(token)
        ? {
            hashedToken: token.hashedToken,
            kind: 'personalAccessToken',
            createdAt: token.createdAt,
            name: token.name,
            bypassTwoFactor: token.bypassTwoFactor,
          }
        : { hashedToken: token.hashedToken, kind: 'resume', when: token.when },
    );
  }

  async tokenCount(userId: string, kind?: TokenView['kind']): Promise<number> {
    return (await this.tokens(userId)).filter(
      (t) => kind === undefined || t.kind === kind,
    ).length;
  }

  /** Whether a clear token authenticates (REST) and whether a resume login would accept it. */
  async checkToken(
    clearToken: string,
    userId?: string,
  ): Promise<{
    valid: boolean;
    userId?: string;
    kind?: TokenView['kind'];
    expired?: boolean;
  }> {
    const hashed = hashLoginToken(clearToken);
    const user = userId
      ? await this.core.users.findByIdAndHashedToken(userId, hashed)
      : await this.core.users.findByHashedToken(hashed);
    const entry = user
      ? loginTokensOf(user).find((t) => t.hashedToken === hashed)
      : undefined;
    if (!user || !entry) {
      return { valid: false };
    }
    if (isPersonalAccessToken(entry)) {
      return {
        valid: true,
        userId: user._id,
        kind: 'personalAccessToken',
        expired: false,
      };
    }
    const expired =
      this.core.accounts.tokenExpires(entry.when).getTime() <= Date.now();
    return { valid: true, userId: user._id, kind: 'resume', expired };
  }

  /** A resume token as a login would create it (`when` defaults to now). */
  issueResumeToken(
    userId: string,
    options: { when?: DateInput } = {},
  ): Promise<string> {
    return this.core.accounts.issueResumeToken(
      userId,
      options.when === undefined ? new Date() : toDate(options.when),
    );
  }

  /** "The user logged out in Rocket.Chat": removes one token. */
  async revokeToken(userId: string, clearToken: string): Promise<boolean> {
    return (
      (await this.core.users.removeHashedToken(
        userId,
        hashLoginToken(clearToken),
      )) > 0
    );
  }

  /** Removes every token of the user (like `users.logout`). */
  async logoutEverywhere(userId: string): Promise<void> {
    await this.core.users.clearTokens(userId);
  }

  /** Moves a resume token's `when` back past `Accounts_LoginExpiration` (or by `ageMs`). */
  async expireToken(
    userId: string,
    clearToken: string,
    ageMs?: number,
  ): Promise<boolean> {
    const age = ageMs ?? this.core.state.loginExpirationMs() + 60_000;
    return this.core.users.updateToken(userId, hashLoginToken(clearToken), {
      when: new Date(Date.now() - age),
    });
  }
}
