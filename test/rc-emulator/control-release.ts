import { ControlUsers } from './control-users.js';
import { hashLoginToken } from './core/crypto.js';
import type { ReleaseQuirks } from './core/release.js';

/** Release-dependent parts of the control API: quirks (#40598, PR #41388) and setting records. */
export class ControlRelease extends ControlUsers {
  /** Switches release quirks at runtime; `null` puts `issue40598` back to "by version". */
  setQuirks(quirks: {
    issue40598?: boolean | null;
    twoFactorOnUserCreation?: boolean;
  }): void {
    const target = this.core.state.quirks;
    if (quirks.issue40598 === null) {
      delete target.issue40598;
    } else if (quirks.issue40598 !== undefined) {
      target.issue40598 = quirks.issue40598;
    }
    if (quirks.twoFactorOnUserCreation !== undefined) {
      target.twoFactorOnUserCreation = quirks.twoFactorOnUserCreation;
    }
  }

  quirks(): ReleaseQuirks & { issue40598Active: boolean } {
    return {
      ...this.core.state.quirks,
      issue40598Active: this.core.state.issue40598(),
    };
  }

  /** Changes "Ignore Two Factor Authentication" of an existing personal access token. */
  async setBypassTwoFactor(
    userId: string,
    clearToken: string,
    bypassTwoFactor: boolean,
  ): Promise<boolean> {
    return this.core.users.updateToken(userId, hashLoginToken(clearToken), {
      bypassTwoFactor,
    });
  }

  /** The setting's record: type, select keys, `blocked` (SETTINGS_BLOCKED). */
  settingInfo(
    id: string,
  ):
    { type: string; values?: readonly string[]; blocked: boolean } | undefined {
    const record = this.core.state.settings.get(id);
    return record
      ? {
          type: record.type,
          ...(record.values ? { values: record.values } : {}),
          blocked: record.blocked,
        }
      : undefined;
  }

  /** Like restarting Rocket.Chat with the current env (SETTINGS_BLOCKED is read at start). */
  restart(): void {
    this.core.state.reloadSettings();
  }
}
