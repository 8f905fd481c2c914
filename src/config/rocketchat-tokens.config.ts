import type { EnvReader } from './env.js';

/**
 * How the bridge obtains a Rocket.Chat login for a user. `rest`: `users.createToken`;
 * `mongo-resume`: a resume token written into Rocket.Chat's database; `legacy-iframe-token`:
 * django-rocketchat-auth's `services.iframe.token`, answered as `{"token": ...}`.
 */
export type TokenStrategyName = 'rest' | 'mongo-resume' | 'legacy-iframe-token';
export const TOKEN_STRATEGIES: readonly TokenStrategyName[] = [
  'rest',
  'mongo-resume',
  'legacy-iframe-token',
];

/** What ending a bridge session ends in Rocket.Chat: the token it issued, or every login of the user. */
export type LogoutMode = 'token' | 'all';

/** What the post-login page posts to Rocket.Chat. */
export type PostLoginMessage = 'login-with-token' | 'try-iframe-login';

export interface TokenConfig {
  readonly strategy: TokenStrategyName;
  /** Rocket.Chat 8's `users.createToken` secret (same value as the server's variable). Never logged. */
  readonly createTokensSecret: string | undefined;
  /** AES-256-GCM key (base64 or hex text, 32 bytes) for tokens at rest. Never logged. */
  readonly tokenEncryptionKey: string;
  /** The key before a rotation: still decrypts, never encrypts. Never logged. */
  readonly previousTokenEncryptionKey: string | undefined;
  /**
   * ROCKETCHAT_TOKEN_REDELIVERY_WINDOW is set. Deprecated and ignored: a session's token is handed
   * out again for as long as nothing shows it is dead (Rocket.Chat 7.8+ asks on every page load).
   * Still read and checked, so existing configurations start; a warning is logged at boot.
   */
  readonly redeliveryWindowIgnored: boolean;
  /** Rocket.Chat's Accounts_LoginExpiration: a token older than this is dead anyway. */
  readonly tokenLifetimeMs: number;
  readonly logoutMode: LogoutMode;
  readonly postLoginMessage: PostLoginMessage;
  /** How often queued revocations and orphaned tokens are looked at. */
  readonly revocationIntervalMs: number;
}

const SECOND = 1000;
const DAY = 86_400_000;

export function readTokenConfig(
  r: EnvReader,
  context: {
    mongoUri: string | undefined;
    version: { major: number } | undefined;
  },
): TokenConfig {
  const strategy = r.oneOf(
    'ROCKETCHAT_TOKEN_STRATEGY',
    TOKEN_STRATEGIES,
    'rest',
  );
  if (strategy !== 'rest' && context.mongoUri === undefined) {
    r.fail(
      'MONGO_DB',
      `is required with ROCKETCHAT_TOKEN_STRATEGY=${strategy} (Rocket.Chat's own database)`,
    );
  }
  const createTokensSecret = r.string('CREATE_TOKENS_FOR_USERS_SECRET', {
    secret: true,
    randomSecret: true,
    maxLength: 1024,
  });
  if (
    strategy === 'rest' &&
    (context.version?.major ?? 0) >= 8 &&
    createTokensSecret === undefined
  ) {
    r.fail(
      'CREATE_TOKENS_FOR_USERS_SECRET',
      "is required for users.createToken on Rocket.Chat 8 or later: set it to the Rocket.Chat server's CREATE_TOKENS_FOR_USERS_SECRET",
    );
  }
  const tokenEncryptionKey = readKey(r, 'TOKEN_ENCRYPTION_KEY', true) ?? '';
  const previousTokenEncryptionKey = readKey(
    r,
    'TOKEN_ENCRYPTION_KEY_PREVIOUS',
    false,
  );
  return {
    strategy,
    createTokensSecret,
    tokenEncryptionKey,
    previousTokenEncryptionKey,
    redeliveryWindowIgnored: readDeprecatedWindow(r),
    tokenLifetimeMs: r.durationMs('ROCKETCHAT_TOKEN_LIFETIME', {
      default: 90 * DAY,
      min: 60 * SECOND,
      max: 3650 * DAY,
    }),
    logoutMode: r.oneOf(
      'ROCKETCHAT_LOGOUT_MODE',
      ['token', 'all'] as const,
      'token',
    ),
    postLoginMessage: r.oneOf(
      'ROCKETCHAT_POST_LOGIN_MESSAGE',
      ['login-with-token', 'try-iframe-login'] as const,
      'login-with-token',
    ),
    revocationIntervalMs: r.durationMs('ROCKETCHAT_REVOCATION_INTERVAL', {
      default: 5 * SECOND,
      min: 50,
      max: 3_600_000,
    }),
  };
}

/** Whether the deprecated ROCKETCHAT_TOKEN_REDELIVERY_WINDOW is set (checked as before, then ignored). */
function readDeprecatedWindow(r: EnvReader): boolean {
  const name = 'ROCKETCHAT_TOKEN_REDELIVERY_WINDOW';
  if (!r.has(name)) {
    return false;
  }
  r.durationMs(name, { default: 0, min: 0, max: 60 * SECOND });
  return true;
}

/** 32 bytes as 64 hex digits, or as base64 / base64url (43 or 44 characters). */
export function decodeEncryptionKey(text: string): Buffer | undefined {
  const value = text.trim();
  if (/^[0-9a-f]{64}$/i.test(value)) {
    return Buffer.from(value, 'hex');
  }
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)) {
    const bytes = Buffer.from(value.replace(/=$/, ''), 'base64url');
    return bytes.length === 32 ? bytes : undefined;
  }
  return undefined;
}

function readKey(
  r: EnvReader,
  name: string,
  required: boolean,
): string | undefined {
  const value = r.string(name, {
    secret: true,
    randomSecret: true,
    required,
  });
  if (value === undefined) {
    return undefined;
  }
  const key = decodeEncryptionKey(value);
  if (!key) {
    r.fail(
      name,
      'must be 32 random bytes written as 64 hex digits or 43/44 base64 characters (openssl rand -base64 32)',
    );
    return undefined;
  }
  if (new Set(key).size < 12) {
    r.fail(
      name,
      'is too repetitive: use random bytes (openssl rand -base64 32)',
    );
    return undefined;
  }
  return value.trim();
}
