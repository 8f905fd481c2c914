import { Global, Module } from '@nestjs/common';
import { MetricsService } from '../observability/index.js';

/**
 * The Rocket.Chat client records every call in MetricsService; the CLI serves no metrics, so it
 * gets the service alone (no endpoint, no metrics server).
 */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class CliMetricsModule {}
