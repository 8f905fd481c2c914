import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { MetricsService } from '../../observability/index.js';
import { TokenMintedEvent } from '../events/token-minted.event.js';
import { TokenReusedEvent } from '../events/token-reused.event.js';
import { TokenRevokedEvent } from '../events/token-revoked.event.js';

/**
 * The token metric (minted, reused, revoked). Here rather than in observability/, which every
 * module imports and so may import none of them.
 */
@Injectable()
export class TokenMetricsListener {
  constructor(private readonly metrics: MetricsService) {}

  @OnEvent(TokenMintedEvent.eventName)
  onTokenMinted(): void {
    this.metrics.tokenEvent('minted');
  }

  @OnEvent(TokenReusedEvent.eventName)
  onTokenReused(): void {
    this.metrics.tokenEvent('reused');
  }

  @OnEvent(TokenRevokedEvent.eventName)
  onTokenRevoked(): void {
    this.metrics.tokenEvent('revoked');
  }
}
