import { MongoClient } from 'mongodb';
import { EmulatorControl } from './control.js';
import type { CreateUserSpec, CreatedUser } from './control-users.js';
import { Accounts } from './core/accounts.js';
import { CallLog } from './core/call-log.js';
import type { EmulatorCore, WebClientGeneration } from './core/context.js';
import type { SettingValue } from './core/defaults.js';
import { FaultRegistry } from './core/faults.js';
import type { PasswordPolicyErrorStyle } from './core/password-policy.js';
import { RateLimiter } from './core/rate-limiter.js';
import { RoleCatalog } from './core/role-catalog.js';
import { RoomsStore } from './core/rooms.store.js';
import { EmulatorState, type EnvFlags } from './core/state.js';
import { TwoFactor } from './core/two-factor.js';
import { UsersStore } from './core/users.store.js';
import { buildServer } from './server.js';

export { EmulatorControl } from './control.js';
export type { CreateUserSpec, CreatedUser } from './control-users.js';
export type {
  CreateRoomSpec,
  CreatedRoom,
  CreatedTeam,
} from './control-rooms.js';
export type { TokenView } from './control-tokens.js';
export type { CallFilter, CallRecord } from './core/call-log.js';
export type { FaultAction, FaultRule } from './core/faults.js';
export type { EnvFlags } from './core/state.js';
export type { ReleaseQuirks } from './core/release.js';
export type { UserDoc } from './core/users.store.js';
export type { WebClientGeneration } from './core/context.js';
export { hashLoginToken } from './core/crypto.js';

export interface RocketChatEmulatorOptions {
  /** MongoDB database standing in for Rocket.Chat's (the `users` collection lives there). */
  mongoUri: string;
  /** Database name when the URI has none (default: the URI's, else `rocketchat`). */
  dbName?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** `127.0.0.1` (default) or e.g. `localhost`. */
  host?: string;
  /** `'7.10.0'`, `'8.0.0'`, `'9.0.1'`, `'7.x'`, `'8.x'`, `'9.x'` (default `'8.0.0'`). */
  version?: string;
  /** Setting overrides by id (`Accounts_iframe_enabled`, `Accounts_LoginExpiration`...). */
  settings?: Record<string, SettingValue>;
  /** Env-like flags: `CREATE_TOKENS_FOR_USERS`, `CREATE_TOKENS_FOR_USERS_SECRET`, `MAX_RESUME_LOGIN_TOKENS`. */
  env?: EnvFlags;
  /** REST rate limiter (defaults: on, 10 calls / 60 s per IP and route). */
  rateLimit?: { enabled?: boolean; calls?: number; windowMs?: number };
  /** Users created at start (see `control.createUser`). */
  seedUsers?: CreateUserSpec[];
  /** Web client generation served at `/` unless `?generation=` says otherwise (default `modern`). */
  webClient?: WebClientGeneration;
  /** How often the page checks that its token still exists (default 1000 ms). */
  pagePollMs?: number;
  /** Rocket.Chat's `HTTP_FORWARDED_COUNT`: trust that many `X-Forwarded-For` hops for the client IP. */
  httpForwardedCount?: number;
  /** Password policy errors: `first` rule (7.x default) or `aggregate` with details (8.x default). */
  passwordPolicyErrorStyle?: PasswordPolicyErrorStyle;
  /** Bug #40598 in `users.createToken`: forced on or off (default: by version, see release.ts). */
  issue40598?: boolean;
  /** Open PR #41388: `users.create` and `users.createToken` require 2FA (default off). */
  twoFactorOnUserCreation?: boolean;
}

export interface RocketChatEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (same as `origin`). */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly host: string;
  readonly control: EmulatorControl;
  /** Results of `seedUsers`, in order. */
  readonly seeded: CreatedUser[];
  close(): Promise<void>;
}

function databaseName(
  uri: string,
  fallback: string | undefined,
): string | undefined {
  if (fallback) {
    return fallback;
  }
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : 'rocketchat';
}

/** Starts an emulated Rocket.Chat server (real HTTP) on a MongoDB database. */
export async function startRocketChatEmulator(
  options: RocketChatEmulatorOptions,
): Promise<RocketChatEmulator> {
  const client = await new MongoClient(options.mongoUri, {
    serverSelectionTimeoutMS: 10_000,
  }).connect();
  try {
    const db = client.db(databaseName(options.mongoUri, options.dbName));
    const state = new EmulatorState(
      options.version ?? '8.0.0',
      options.env ?? {},
      options.settings ?? {},
      {
        issue40598: options.issue40598,
        twoFactorOnUserCreation: options.twoFactorOnUserCreation ?? false,
      },
    );
    if (options.rateLimit) {
      const { enabled, calls, windowMs } = options.rateLimit;
      state.applySettings({
        ...(enabled !== undefined ? { API_Enable_Rate_Limiter: enabled } : {}),
        ...(calls !== undefined
          ? { API_Enable_Rate_Limiter_Limit_Calls_Default: calls }
          : {}),
        ...(windowMs !== undefined
          ? { API_Enable_Rate_Limiter_Limit_Time_Default: windowMs }
          : {}),
      });
    }
    const users = new UsersStore(db);
    await users.ensureIndexes();
    const rooms = new RoomsStore(db);
    await rooms.ensureIndexes();
    const twoFactor = new TwoFactor(state, users);
    let origin = '';
    const core: EmulatorCore = {
      state,
      users,
      rooms,
      roleCatalog: new RoleCatalog(state),
      twoFactor,
      accounts: new Accounts(state, users, twoFactor),
      rateLimiter: new RateLimiter(),
      calls: new CallLog(),
      faults: new FaultRegistry(),
      settingsPolicy: {
        passwordPolicyErrorStyle: () =>
          options.passwordPolicyErrorStyle ??
          (state.version.major >= 8 ? 'aggregate' : 'first'),
      },
      web: {
        generation: options.webClient ?? 'modern',
        pollMs: options.pagePollMs ?? 1000,
      },
      origin: () => origin,
    };
    const control = new EmulatorControl(core);
    const { app, hung } = buildServer(core, control, {
      httpForwardedCount: options.httpForwardedCount ?? 0,
    });
    const host = options.host ?? '127.0.0.1';
    await app.listen({ port: options.port ?? 0, host });
    const address = app.server.address();
    const port =
      typeof address === 'object' && address
        ? address.port
        : (options.port ?? 0);
    origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    state.applySettings({ Site_Url: origin });
    const seeded: CreatedUser[] = [];
    for (const spec of options.seedUsers ?? []) {
      seeded.push(await control.createUser(spec));
    }
    let closed = false;
    return {
      url: origin,
      origin,
      port,
      host,
      control,
      seeded,
      async close() {
        if (closed) {
          return;
        }
        closed = true;
        for (const socket of hung) {
          socket.destroy();
        }
        await app.close();
        await client.close();
      },
    };
  } catch (error) {
    await client.close();
    throw error;
  }
}
