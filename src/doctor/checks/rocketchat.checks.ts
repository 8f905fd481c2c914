import { Injectable } from '@nestjs/common';
import { skip, type CheckResult } from '../doctor-check.js';
import { BridgeTokenCheck } from './bridge-token.check.js';
import { CreateTokenCheck } from './create-token.check.js';
import { PermissionsCheck } from './permissions.check.js';
import { RocketChatServerCheck } from './rocketchat-server.check.js';
import { RocketChatSettingsCheck } from './rocketchat-settings.check.js';

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
    private readonly server: RocketChatServerCheck,
    private readonly bridgeToken: BridgeTokenCheck,
    private readonly permissions: PermissionsCheck,
    private readonly createToken: CreateTokenCheck,
    private readonly settings: RocketChatSettingsCheck,
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
    const settings = await this.settings.run(fix);
    results.push(settings.result);
    return {
      results,
      siteUrl: settings.siteUrl,
      apiMethod: settings.apiMethod,
    };
  }
}
