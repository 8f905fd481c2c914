import {
  md5Hex,
  randomDigits,
  sha256Hex,
  verifyPasswordDigest,
  verifyTotp,
} from './crypto.js';
import { MeteorError } from './errors.js';
import type { EmulatorState } from './state.js';
import { loginTokensOf, type UserDoc, type UsersStore } from './users.store.js';

/** The REST call's identity for "remember 2FA" (token + user agent + IP). */
export interface TwoFactorConnection {
  hashedToken: string | undefined;
  userAgent: string | undefined;
  ip: string;
}

export interface TwoFactorOptions {
  disablePasswordFallback?: boolean;
  disableRememberMe?: boolean;
}

/** A 2FA e-mail the emulator "sent": tests read the code from here. */
export interface SentEmail {
  userId: string;
  to: string[];
  code: string;
  at: Date;
}

type MethodName = 'totp' | 'email' | 'password';

/** Rocket.Chat's `checkCodeForUser` (protocol doc §5.2) with TOTP, e-mail and password fallback. */
export class TwoFactor {
  readonly outbox: SentEmail[] = [];

  constructor(
    private readonly state: EmulatorState,
    private readonly users: UsersStore,
  ) {}

  private verifiedEmails(user: UserDoc): string[] {
    return (user.emails ?? []).filter((e) => e.verified).map((e) => e.address);
  }

  private enabled(user: UserDoc, method: MethodName): boolean {
    if (method === 'totp') {
      return user.services?.totp?.enabled === true;
    }
    if (method === 'email') {
      return (
        this.state.bool('Accounts_TwoFactorAuthentication_By_Email_Enabled') &&
        user.services?.email2fa?.enabled === true &&
        this.verifiedEmails(user).length > 0
      );
    }
    return (
      this.state.bool(
        'Accounts_TwoFactorAuthentication_Enforce_Password_Fallback',
      ) && typeof user.services?.password?.bcrypt === 'string'
    );
  }

  availableMethods(user: UserDoc): MethodName[] {
    return (['totp', 'email'] as const).filter((m) => this.enabled(user, m));
  }

  private select(
    user: UserDoc,
    requested: string | undefined,
    options: TwoFactorOptions,
  ) {
    if (requested === 'totp' || requested === 'email') {
      return requested;
    }
    const active = this.availableMethods(user)[0];
    if (active) {
      return active;
    }
    if (!options.disablePasswordFallback && this.enabled(user, 'password')) {
      return 'password';
    }
    return undefined;
  }

  private fingerprint(connection: TwoFactorConnection): string {
    return md5Hex(
      JSON.stringify({
        userAgent: connection.userAgent,
        clientAddress: connection.ip,
      }),
    );
  }

  private authorizedByToken(
    user: UserDoc,
    connection: TwoFactorConnection,
    options: TwoFactorOptions,
  ): boolean {
    const token = loginTokensOf(user).find(
      (t) => t.hashedToken === connection.hashedToken,
    );
    if (!token) {
      return false;
    }
    if ('bypassTwoFactor' in token && token.bypassTwoFactor) {
      return true;
    }
    if (options.disableRememberMe) {
      return false;
    }
    const rememberFor = this.state.int(
      'Accounts_TwoFactorAuthentication_RememberFor',
    );
    if (
      rememberFor > 0 &&
      new Date(user.createdAt).getTime() + rememberFor * 1000 >= Date.now()
    ) {
      return true;
    }
    if (
      !('when' in token) ||
      !token.twoFactorAuthorizedUntil ||
      !token.twoFactorAuthorizedHash
    ) {
      return false;
    }
    return (
      new Date(token.twoFactorAuthorizedUntil).getTime() >= Date.now() &&
      token.twoFactorAuthorizedHash === this.fingerprint(connection)
    );
  }

  private async processInvalidCode(user: UserDoc, method: MethodName) {
    if (method !== 'email') {
      return { codeGenerated: false };
    }
    const emailOrUsername = user.username ?? this.verifiedEmails(user)[0];
    const existing = user.services?.emailCode;
    if (existing && new Date(existing.expire).getTime() > Date.now()) {
      return {
        emailOrUsername,
        codeGenerated: false,
        codeExpires: existing.expire,
      };
    }
    await this.sendEmailCode(user);
    return { codeGenerated: true, emailOrUsername };
  }

  async sendEmailCode(user: UserDoc): Promise<string> {
    const code = randomDigits(6);
    const seconds = this.state.int(
      'Accounts_TwoFactorAuthentication_By_Email_Code_Expiration',
    );
    const expire = new Date(Date.now() + seconds * 1000);
    // Rocket.Chat stores bcrypt(code); the emulator stores its SHA-256.
    await this.users.set(user._id, {
      'services.emailCode': { code: sha256Hex(code), expire, attempts: 0 },
    });
    this.outbox.push({
      userId: user._id,
      to: this.verifiedEmails(user),
      code,
      at: new Date(),
    });
    return code;
  }

  private async verify(
    user: UserDoc,
    method: MethodName,
    code: string,
  ): Promise<boolean> {
    if (method === 'totp') {
      return (
        !!user.services?.totp?.secret &&
        verifyTotp(user.services.totp.secret, code)
      );
    }
    if (method === 'password') {
      return verifyPasswordDigest(
        code.toLowerCase(),
        user.services?.password?.bcrypt,
      );
    }
    const stored = user.services?.emailCode;
    if (!stored || new Date(stored.expire).getTime() < Date.now()) {
      return false;
    }
    if (sha256Hex(code.replace(/\D/g, '')) === stored.code) {
      await this.users.set(user._id, {}, ['services.emailCode']);
      return true;
    }
    await this.users.set(user._id, {
      'services.emailCode.attempts': (stored.attempts ?? 0) + 1,
    });
    return false;
  }

  /** Throws `totp-required` / `totp-invalid` like Rocket.Chat, or returns when allowed. */
  async check(
    user: UserDoc,
    input: { code?: string; method?: string },
    options: TwoFactorOptions = {},
    connection?: TwoFactorConnection,
  ): Promise<void> {
    if (!this.state.bool('Accounts_TwoFactorAuthentication_Enabled')) {
      return;
    }
    if (connection && this.authorizedByToken(user, connection, options)) {
      return;
    }
    const method = this.select(user, input.method, options);
    if (!method) {
      return;
    }
    const data = await this.processInvalidCode(user, method);
    const availableMethods = this.availableMethods(user);
    if (!input.code) {
      throw new MeteorError('totp-required', 'TOTP Required', {
        method,
        ...data,
        availableMethods,
      });
    }
    if (!(await this.verify(user, method, input.code))) {
      throw new MeteorError('totp-invalid', 'TOTP Invalid', {
        method,
        ...data,
        availableMethods,
      });
    }
    if (connection?.hashedToken && !options.disableRememberMe) {
      const rememberFor = this.state.int(
        'Accounts_TwoFactorAuthentication_RememberFor',
      );
      if (rememberFor > 0) {
        await this.users.updateToken(user._id, connection.hashedToken, {
          twoFactorAuthorizedUntil: new Date(Date.now() + rememberFor * 1000),
          twoFactorAuthorizedHash: this.fingerprint(connection),
        });
      }
    }
  }
}
