import { Injectable } from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config/index.js';
import { AdminCredentials, RocketChatHttp } from '../../rocketchat/index.js';
import { skip, type CheckResult } from '../doctor-check.js';
import { BridgeTokenCheck } from './bridge-token.check.js';
import { CreateTokenCheck } from './create-token.check.js';
import {
  iframeSettingsCheck,
  IFRAME_SETTING_IDS,
} from './iframe-settings.check.js';
import { PermissionsCheck } from './permissions.check.js';
import { RocketChatServerCheck } from './rocketchat-server.check.js';

/** What the Rocket.Chat lines found, for the lines after them (CORS needs Site_Url). */
export interface RocketChatFindings {
  readonly results: CheckResult[];
  readonly siteUrl?: string;
  readonly apiMethod?: string;
}

/**
 * The Rocket.Chat lines, in order; each needs the one before it (no version without an answer,
 * no permissions without a valid token), and says so when it cannot run.
 */
@Injectable()
export class RocketChatChecks {
  constructor(
    @InjectConfig('app') private readonly app: AppConfig,
    private readonly http: RocketChatHttp,
    private readonly admin: AdminCredentials,
    private readonly server: RocketChatServerCheck,
    private readonly bridgeToken: BridgeTokenCheck,
    private readonly permissions: PermissionsCheck,
    private readonly createToken: CreateTokenCheck,
  ) {}

  async run(fix: boolean): Promise<RocketChatFindings> {
    const results: CheckResult[] = [];
    const reach = await this.server.run();
    results.push(reach.result);
    if (!reach.version) {
      results.push(
        ...[
          ['rocketchat.token', 'Bridge token'],
          ['rocketchat.two-factor-bypass', 'Two-factor bypass'],
          ['rocketchat.permissions', 'Permissions'],
          ['rocketchat.create-token', 'createToken'],
          ['rocketchat.issue-40598', 'createToken #40598'],
          ['rocketchat.iframe-settings', 'Iframe settings'],
        ].map(([id, title]) =>
          skip(id, title, 'not checked: Rocket.Chat does not answer'),
        ),
      );
      return { results };
    }
    const token = await this.bridgeToken.run();
    results.push(...token.results);
    if (!token.auth || !token.roles) {
      results.push(
        ...[
          ['rocketchat.two-factor-bypass', 'Two-factor bypass'],
          ['rocketchat.permissions', 'Permissions'],
          ['rocketchat.create-token', 'createToken'],
          ['rocketchat.issue-40598', 'createToken #40598'],
        ].map(([id, title]) => skip(id, title, 'not checked: no valid token')),
      );
    } else {
      results.push(await this.permissions.run(token.auth, token.roles));
      results.push(...(await this.createToken.run(token.auth, reach.version)));
    }
    const settings = await this.readSettings();
    results.push(
      await iframeSettingsCheck(this.app, settings, fix, (id, value) =>
        this.writeSetting(id, value),
      ),
    );
    return {
      results,
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
