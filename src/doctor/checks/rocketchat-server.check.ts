import { Injectable } from '@nestjs/common';
import {
  InjectConfig,
  type RocketChatConfig,
  type RocketChatVersion,
} from '../../config/index.js';
import {
  RocketChatApi,
  RocketChatUnavailableError,
} from '../../rocketchat/index.js';
import { fail, ok, warn, type CheckResult } from '../doctor-check.js';
import { describeError } from './describe-error.js';

/** Rocket.Chat answers `GET /api/info` at the bridge's REST base, and its version. */
@Injectable()
export class RocketChatServerCheck {
  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly api: RocketChatApi,
  ) {}

  async run(): Promise<{
    result: CheckResult;
    version?: RocketChatVersion;
  }> {
    const id = 'rocketchat';
    const title = 'Rocket.Chat';
    const started = Date.now();
    try {
      const version = await this.api.serverVersion();
      const ms = Date.now() - started;
      const found = `Rocket.Chat ${version.major}.${version.minor} answers at ${this.config.apiUrl} (${ms} ms)`;
      const configured = this.config.version;
      if (
        configured &&
        (configured.major !== version.major ||
          configured.minor !== version.minor)
      ) {
        return {
          version,
          result: warn(
            id,
            title,
            `${found}, but ROCKETCHAT_VERSION says ${configured.major}.${configured.minor}`,
            "set ROCKETCHAT_VERSION=auto, or to the server's version (users.createToken changed in 8.0, refusals in 9.0)",
          ),
        };
      }
      if (version.major < 7 || version.major > 9) {
        return {
          version,
          result: warn(
            id,
            title,
            `${found}: a version the bridge is not tested with`,
            version.major < 7
              ? 'the bridge is tested against Rocket.Chat 7.x, 8.x and 9.x; upgrade Rocket.Chat if anything fails'
              : 'the bridge is tested against Rocket.Chat 7.x, 8.x and 9.x; see its release notes for a newer Rocket.Chat, and report what fails',
          ),
        };
      }
      return { version, result: ok(id, title, found) };
    } catch (error) {
      if (
        error instanceof RocketChatUnavailableError &&
        error.reason === 'malformed'
      ) {
        return {
          result: fail(
            id,
            title,
            `${this.config.apiUrl} answered, but not like Rocket.Chat (${describeError(error)})`,
            "check ROCKETCHAT_URL / ROCKETCHAT_INTERNAL_URL: <url>/api/info must show Rocket.Chat's version",
          ),
        };
      }
      return {
        result: fail(
          id,
          title,
          `no answer from ${this.config.apiUrl}/api/info: ${describeError(error)}`,
          'check that Rocket.Chat runs and that this host reaches it at ROCKETCHAT_INTERNAL_URL (if set) or ROCKETCHAT_URL',
        ),
      };
    }
  }
}
