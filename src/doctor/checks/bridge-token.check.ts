import { Injectable } from '@nestjs/common';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import {
  AdminCredentials,
  RocketChatApi,
  RocketChatHttp,
  type RocketChatAuth,
  isCredentialsRefused,
} from '../../rocketchat/index.js';
import { fail, ok, type CheckResult } from '../doctor-check.js';
import { describeError } from './describe-error.js';
import { twoFactorBypassCheck } from './two-factor-bypass.check.js';

/**
 * The bridge's own Rocket.Chat credentials work (`GET /api/v1/me` with them), and whether they
 * bypass two-factor authentication.
 */
@Injectable()
export class BridgeTokenCheck {
  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly http: RocketChatHttp,
    private readonly admin: AdminCredentials,
    private readonly api: RocketChatApi,
  ) {}

  /** The token line, then (with a valid token) the two-factor bypass line. */
  async run(): Promise<{
    results: CheckResult[];
    auth?: RocketChatAuth;
    roles?: readonly string[];
  }> {
    const token = await this.token();
    return token.auth
      ? {
          ...token,
          results: [
            token.result,
            await twoFactorBypassCheck(this.api, token.auth),
          ],
        }
      : { results: [token.result] };
  }

  private async token(): Promise<{
    result: CheckResult;
    auth?: RocketChatAuth;
    roles?: readonly string[];
  }> {
    const id = 'rocketchat.token';
    const title = 'Bridge token';
    let auth: RocketChatAuth;
    try {
      auth = await this.admin.get();
    } catch (error) {
      return {
        result: fail(
          id,
          title,
          `could not log in as ROCKETCHAT_ADMIN_USERNAME to create the bridge's token: ${describeError(error)}`,
          'check ROCKETCHAT_ADMIN_USERNAME / ROCKETCHAT_ADMIN_PASSWORD, or give a personal access token (ROCKETCHAT_USER_ID + ROCKETCHAT_AUTH_TOKEN)',
        ),
      };
    }
    try {
      const me = await this.http.call({ method: 'GET', endpoint: 'me', auth });
      const username = asString(me.username) ?? auth.userId;
      const roles = Array.isArray(me.roles)
        ? me.roles.filter((r): r is string => typeof r === 'string')
        : [];
      return {
        auth,
        roles,
        result: ok(
          id,
          title,
          `valid: the bridge acts as ${username} (roles: ${roles.join(', ') || 'none'})`,
        ),
      };
    } catch (error) {
      if (isCredentialsRefused(error)) {
        return {
          result: fail(
            id,
            title,
            this.config.admin.kind === 'token'
              ? 'Rocket.Chat refused ROCKETCHAT_USER_ID / ROCKETCHAT_AUTH_TOKEN'
              : 'Rocket.Chat refused the token the bridge created',
            'create a personal access token with "Ignore Two Factor Authentication" for the bridge\'s account and set ROCKETCHAT_USER_ID and ROCKETCHAT_AUTH_TOKEN',
          ),
        };
      }
      return {
        result: fail(
          id,
          title,
          `not checked: ${describeError(error)}`,
          'see the Rocket.Chat line; try again when Rocket.Chat answers',
        ),
      };
    }
  }
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
