import {
  DEFAULT_ROLES,
  defaultPermissions,
  defaultSettings,
  type SettingDefinition,
  type SettingValue,
} from './defaults.js';
import { hasIssue40598, type ReleaseQuirks } from './release.js';
import { parseVersion, type EmulatedVersion } from './version.js';

/** Environment variables Rocket.Chat reads for these endpoints (protocol doc §4.3, §5.4). */
export interface EnvFlags {
  CREATE_TOKENS_FOR_USERS?: string;
  CREATE_TOKENS_FOR_USERS_SECRET?: string;
  MAX_RESUME_LOGIN_TOKENS?: string | number;
  /**
   * Comma-separated setting ids marked `blocked` (SettingsRegistry.ts @77201560,
   * getSettingDefaults.ts @8ace62ae). Only the admin UI honours the mark: `POST
   * /api/v1/settings/:_id` (`server/api/v1/settings.ts` @041941a2) and `saveSettingsBulk`
   * (@77c03f5a) do not check it. Read when settings load, as Rocket.Chat reads it at start-up.
   */
  SETTINGS_BLOCKED?: string;
}

export interface SettingRecord {
  _id: string;
  value: SettingValue;
  packageValue: SettingValue;
  type: SettingDefinition['type'];
  public: boolean;
  /** Marked by SETTINGS_BLOCKED: the admin UI shows it read-only. */
  blocked: boolean;
  values?: readonly string[];
  _updatedAt: Date;
}

/** Mutable server-side configuration: version, settings, env, roles and permissions. */
export class EmulatorState {
  version: EmulatedVersion;
  env: EnvFlags;
  readonly settings = new Map<string, SettingRecord>();
  readonly roles = new Set<string>(DEFAULT_ROLES);
  readonly permissions = new Map<string, string[]>();
  readonly quirks: ReleaseQuirks;
  private overrides: Record<string, SettingValue> = {};

  constructor(
    version: string,
    env: EnvFlags,
    overrides: Record<string, SettingValue>,
    quirks: Partial<ReleaseQuirks> = {},
  ) {
    this.version = parseVersion(version);
    this.env = { ...env };
    this.quirks = { twoFactorOnUserCreation: false, ...quirks };
    this.overrides = { ...overrides };
    this.loadSettings();
    for (const [permission, roles] of Object.entries(defaultPermissions())) {
      this.permissions.set(permission, [...roles]);
    }
  }

  /** Switches version; version-dependent defaults follow unless they were set explicitly. */
  setVersion(version: string): void {
    const current = Object.fromEntries(
      [...this.settings.values()]
        .filter((s) => s.value !== s.packageValue)
        .map((s) => [s._id, s.value]),
    );
    this.version = parseVersion(version);
    this.overrides = { ...this.overrides, ...current };
    this.loadSettings();
  }

  /** Whether `users.createToken` has bug #40598 now (option, else by version). */
  issue40598(): boolean {
    return this.quirks.issue40598 ?? hasIssue40598(this.version);
  }

  private blockedIds(): Set<string> {
    return new Set(
      (this.env.SETTINGS_BLOCKED ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    );
  }

  private loadSettings(): void {
    this.settings.clear();
    const now = new Date();
    const blocked = this.blockedIds();
    for (const definition of defaultSettings(this.version)) {
      this.settings.set(definition._id, {
        _id: definition._id,
        value: definition.packageValue,
        packageValue: definition.packageValue,
        type: definition.type,
        public: definition.public,
        blocked: blocked.has(definition._id),
        ...(definition.values ? { values: definition.values } : {}),
        _updatedAt: now,
      });
    }
    this.applySettings(this.overrides);
  }

  /** A restart with the current env: SETTINGS_BLOCKED is read again. */
  reloadSettings(): void {
    this.setVersion(this.version.full);
  }

  /** Sets values; unknown ids are created (as private string/bool/int settings). */
  applySettings(values: Record<string, SettingValue>): void {
    for (const [id, value] of Object.entries(values)) {
      const existing = this.settings.get(id);
      if (existing) {
        existing.value = value;
        existing._updatedAt = new Date();
      } else {
        this.settings.set(id, {
          _id: id,
          value,
          packageValue: value,
          type:
            typeof value === 'boolean'
              ? 'boolean'
              : typeof value === 'number'
                ? 'int'
                : 'string',
          public: false,
          blocked: this.blockedIds().has(id),
          _updatedAt: new Date(),
        });
      }
      this.overrides[id] = value;
    }
  }

  setting(id: string): SettingValue {
    const record = this.settings.get(id);
    if (!record) {
      throw new Error(`rc-emulator: unknown setting ${id}`);
    }
    return record.value;
  }

  bool(id: string): boolean {
    return this.setting(id) === true;
  }

  int(id: string): number {
    return Number(this.setting(id));
  }

  text(id: string): string {
    return String(this.setting(id));
  }

  setEnv(flags: EnvFlags): void {
    for (const [key, value] of Object.entries(flags)) {
      if (value === undefined || value === null) {
        delete this.env[key as keyof EnvFlags];
      } else {
        (this.env as Record<string, unknown>)[key] = value;
      }
    }
  }

  /** `MAX_RESUME_LOGIN_TOKENS`, default 50. */
  maxLoginTokens(): number {
    const raw = Number(this.env.MAX_RESUME_LOGIN_TOKENS);
    return Number.isFinite(raw) && raw > 0 ? Math.floor(raw) : 50;
  }

  /** `Accounts_LoginExpiration` (days) in milliseconds. */
  loginExpirationMs(): number {
    return this.int('Accounts_LoginExpiration') * 24 * 60 * 60 * 1000;
  }

  hasPermission(roles: string[] | undefined, permission: string): boolean {
    const allowed = this.permissions.get(permission) ?? [];
    return (roles ?? []).some((role) => allowed.includes(role));
  }

  setPermissionRoles(permission: string, roles: string[]): void {
    this.permissions.set(permission, [...roles]);
  }
}
