import { Injectable, Logger } from '@nestjs/common';
import {
  InjectConfig,
  type RocketChatConfig,
  type RocketChatVersion,
} from '../../config/index.js';
import { RocketChatApi } from './rocketchat-api.service.js';

/** How long a detected version is trusted (Rocket.Chat may be upgraded under a running bridge). */
const DETECTED_TTL_MS = 10 * 60_000;

/** The Rocket.Chat version: ROCKETCHAT_VERSION, else asked from `GET /api/info` and cached. */
@Injectable()
export class RocketChatVersionService {
  private readonly logger = new Logger(RocketChatVersionService.name);
  private detected: { version: RocketChatVersion; at: number } | undefined;

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly api: RocketChatApi,
  ) {}

  /** Whether the version comes from the configuration (then it is never re-detected). */
  get configured(): boolean {
    return this.config.version !== undefined;
  }

  async get(): Promise<RocketChatVersion> {
    if (this.config.version) {
      return this.config.version;
    }
    if (this.detected && Date.now() - this.detected.at < DETECTED_TTL_MS) {
      return this.detected.version;
    }
    const version = await this.api.serverVersion();
    if (
      this.detected?.version.major !== version.major ||
      this.detected.version.minor !== version.minor
    ) {
      this.logger.log(`Rocket.Chat ${version.major}.${version.minor} detected`);
    }
    this.detected = { version, at: Date.now() };
    return version;
  }

  /** Ask again at the next call (an answer suggested the server changed). */
  forget(): void {
    this.detected = undefined;
  }
}
