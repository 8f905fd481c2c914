import { Injectable } from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config/index.js';
import { AdminCredentials, RocketChatHttp } from '../../rocketchat/index.js';
import type { CheckResult } from '../doctor-check.js';
import {
  iframeSettingsCheck,
  IFRAME_SETTING_IDS,
} from './iframe-settings.check.js';

/** The Iframe settings line, and the two settings the lines after it need. */
export interface RocketChatSettingsFindings {
  readonly result: CheckResult;
  readonly siteUrl?: string;
  readonly apiMethod?: string;
}

/**
 * Rocket.Chat's Iframe settings (and Site_Url), read from `settings.public` and checked
 * (iframeSettingsCheck); with `--fix`, the wrong ones are written with the bridge's token.
 */
@Injectable()
export class RocketChatSettingsCheck {
  constructor(
    @InjectConfig('app') private readonly app: AppConfig,
    private readonly http: RocketChatHttp,
    private readonly admin: AdminCredentials,
  ) {}

  async run(fix: boolean): Promise<RocketChatSettingsFindings> {
    const settings = await this.readSettings();
    const result = await iframeSettingsCheck(
      this.app,
      settings,
      fix,
      (id, value) => this.writeSetting(id, value),
    );
    return {
      result,
      siteUrl: asString(settings?.Site_Url),
      apiMethod: asString(settings?.Accounts_Iframe_api_method),
    };
  }

  private async readSettings(): Promise<Record<string, unknown> | undefined> {
    try {
      const body = await this.http.call({
        method: 'GET',
        endpoint: 'settings.public',
        query: { _id: [...IFRAME_SETTING_IDS, 'Site_Url'].join(',') },
      });
      const list = Array.isArray(body.settings) ? body.settings : [];
      return Object.fromEntries(
        list.flatMap((s: unknown) => {
          const setting = s as { _id?: unknown; value?: unknown };
          return typeof setting._id === 'string'
            ? [[setting._id, setting.value]]
            : [];
        }),
      );
    } catch {
      return undefined;
    }
  }

  private async writeSetting(settingId: string, value: unknown): Promise<void> {
    await this.http.call({
      method: 'POST',
      endpoint: `settings/${settingId}`,
      body: { value },
      auth: await this.admin.get(),
    });
  }
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
