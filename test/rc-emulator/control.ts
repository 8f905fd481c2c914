import type { CallFilter, CallRecord } from './core/call-log.js';
import {
  hashLoginToken,
  newTotpSecret,
  randomSecret,
  totpCode,
} from './core/crypto.js';
import type { SettingValue } from './core/defaults.js';
import type { ActiveFault, FaultRule } from './core/faults.js';
import type { EnvFlags } from './core/state.js';
import type { SentEmail } from './core/two-factor.js';
import { ControlRelease } from './control-release.js';

/**
 * The emulator's test-facing control surface. The same methods are served over HTTP at
 * `POST /__emulator/rpc/<method>` with `{"args": [...]}` (see README).
 */
export class EmulatorControl extends ControlRelease {
  // --- call log ---
  calls(filter: CallFilter = {}): CallRecord[] {
    return this.core.calls.list(filter);
  }

  /** Number of calls; a string is a route key (`users.createToken`). */
  countCalls(filter: CallFilter | string = {}): number {
    return this.core.calls.count(
      typeof filter === 'string' ? { route: filter } : filter,
    );
  }

  clearCalls(): void {
    this.core.calls.clear();
  }

  // --- fault injection ---
  injectFault(rule: FaultRule): number {
    return this.core.faults.add(rule);
  }

  clearFaults(id?: number): void {
    this.core.faults.clear(id);
  }

  faults(): ActiveFault[] {
    return this.core.faults.list();
  }

  // --- server configuration ---
  version(): string {
    return this.core.state.version.full;
  }

  setVersion(version: string): void {
    this.core.state.setVersion(version);
  }

  setSettings(values: Record<string, SettingValue>): void {
    this.core.state.applySettings(values);
  }

  getSetting(id: string): SettingValue | undefined {
    return this.core.state.settings.get(id)?.value;
  }

  /** Configures Accounts > Iframe in one call (protocol doc §1). */
  configureIframe(options: {
    iframeUrl: string;
    apiUrl: string;
    apiMethod?: string;
    enabled?: boolean;
  }): void {
    this.setSettings({
      Accounts_iframe_enabled: options.enabled ?? true,
      Accounts_iframe_url: options.iframeUrl,
      Accounts_Iframe_api_url: options.apiUrl,
      Accounts_Iframe_api_method: options.apiMethod ?? 'POST',
    });
  }

  env(): EnvFlags {
    return { ...this.core.state.env };
  }

  /** Sets env-like flags; `null`/`undefined` unsets one. */
  setEnv(flags: EnvFlags): void {
    this.core.state.setEnv(flags);
  }

  setRateLimit(options: {
    enabled?: boolean;
    calls?: number;
    windowMs?: number;
  }): void {
    const values: Record<string, SettingValue> = {};
    if (options.enabled !== undefined) {
      values.API_Enable_Rate_Limiter = options.enabled;
    }
    if (options.calls !== undefined) {
      values.API_Enable_Rate_Limiter_Limit_Calls_Default = options.calls;
    }
    if (options.windowMs !== undefined) {
      values.API_Enable_Rate_Limiter_Limit_Time_Default = options.windowMs;
    }
    this.setSettings(values);
  }

  resetRateLimits(): void {
    this.core.rateLimiter.reset();
  }

  permissionRoles(permission: string): string[] {
    return [...(this.core.state.permissions.get(permission) ?? [])];
  }

  setPermission(permission: string, roles: string[]): void {
    this.core.state.setPermissionRoles(permission, roles);
  }

  grantPermission(permission: string, role: string): void {
    const roles = new Set(this.permissionRoles(permission));
    roles.add(role);
    this.setPermission(permission, [...roles]);
  }

  revokePermission(permission: string, role: string): void {
    this.setPermission(
      permission,
      this.permissionRoles(permission).filter((r) => r !== role),
    );
  }

  addRole(role: string): void {
    this.core.state.roles.add(role);
  }

  // --- 2FA helpers ---
  async enableTotp(userId: string): Promise<string> {
    const secret = newTotpSecret();
    await this.core.users.set(userId, {
      'services.totp': { enabled: true, secret },
    });
    return secret;
  }

  async disableTotp(userId: string): Promise<void> {
    await this.core.users.set(userId, {}, ['services.totp']);
  }

  async setEmail2fa(userId: string, enabled: boolean): Promise<void> {
    await this.core.users.set(userId, {
      'services.email2fa': { enabled, changedAt: new Date() },
    });
  }

  /** The current TOTP code for a secret from `enableTotp`. */
  totpCode(secret: string): string {
    return totpCode(secret);
  }

  emails(userId?: string): SentEmail[] {
    return this.core.twoFactor.outbox.filter(
      (e) => userId === undefined || e.userId === userId,
    );
  }

  lastEmailCode(userId: string): string | undefined {
    return this.emails(userId).at(-1)?.code;
  }

  /** Personal access token for an existing user (clear token returned once). */
  async addPersonalAccessToken(
    userId: string,
    name = 'bridge',
    bypassTwoFactor = true,
  ): Promise<string> {
    const token = randomSecret();
    await this.core.users.pushToken(userId, {
      hashedToken: hashLoginToken(token),
      type: 'personalAccessToken',
      createdAt: new Date(),
      lastTokenPart: token.slice(-6),
      name,
      bypassTwoFactor,
    });
    return token;
  }

  /** Clears call log, faults, rate-limit counters and the 2FA outbox (users stay). */
  reset(): void {
    this.core.calls.clear();
    this.core.faults.clear();
    this.core.rateLimiter.reset();
    this.core.twoFactor.outbox.splice(0);
  }
}

/** Control methods callable over HTTP. */
export const RPC_METHODS = [
  'calls',
  'countCalls',
  'clearCalls',
  'injectFault',
  'clearFaults',
  'faults',
  'version',
  'setVersion',
  'setSettings',
  'getSetting',
  'configureIframe',
  'env',
  'setEnv',
  'setRateLimit',
  'resetRateLimits',
  'permissionRoles',
  'setPermission',
  'grantPermission',
  'revokePermission',
  'addRole',
  'enableTotp',
  'disableTotp',
  'setEmail2fa',
  'totpCode',
  'emails',
  'lastEmailCode',
  'addPersonalAccessToken',
  'reset',
  'createUser',
  'createAdmin',
  'createBot',
  'updateUser',
  'setIframeToken',
  'getUser',
  'findUser',
  'deleteUser',
  'deleteAllUsers',
  'tokens',
  'tokenCount',
  'checkToken',
  'issueResumeToken',
  'revokeToken',
  'logoutEverywhere',
  'expireToken',
] as const;

export type RpcMethod = (typeof RPC_METHODS)[number];
