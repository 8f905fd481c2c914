import { Injectable } from '@nestjs/common';
import {
  InjectConfig,
  type RocketChatConfig,
  type TokenStrategyName,
} from '../../config/index.js';
import { LegacyIframeTokenStrategy } from './legacy-iframe-token.strategy.js';
import { MongoResumeTokenStrategy } from './mongo-resume-token.strategy.js';
import { RestTokenStrategy } from './rest-token.strategy.js';
import type { TokenStrategy } from './token-strategy.js';

/** The configured strategy, and every strategy by name (a stored token is revoked by its own). */
@Injectable()
export class TokenStrategies {
  private readonly byName: ReadonlyMap<TokenStrategyName, TokenStrategy>;

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    rest: RestTokenStrategy,
    mongoResume: MongoResumeTokenStrategy,
    legacy: LegacyIframeTokenStrategy,
  ) {
    this.byName = new Map<TokenStrategyName, TokenStrategy>([
      ['rest', rest],
      ['mongo-resume', mongoResume],
      ['legacy-iframe-token', legacy],
    ]);
  }

  get current(): TokenStrategy {
    return this.get(this.config.tokens.strategy);
  }

  get(name: TokenStrategyName): TokenStrategy {
    const strategy = this.byName.get(name);
    if (!strategy) {
      throw new Error(`Unknown token strategy ${name}`);
    }
    return strategy;
  }
}
