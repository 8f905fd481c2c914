import { Global, Module } from '@nestjs/common';
import { HttpMetricsHook } from './metrics/http-metrics.hook.js';
import { MetricsAccess } from './metrics/metrics-access.service.js';
import { MetricsServer } from './metrics/metrics-server.service.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsService } from './metrics/metrics.service.js';
import { MongoCommandMetrics } from './metrics/mongo-command-metrics.js';

/**
 * Metrics for every module (inject MetricsService) and their exposure. Logging is wired earlier,
 * in createApp, because Fastify and Nest need the logger before any module exists.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    MetricsService,
    MetricsAccess,
    MetricsServer,
    HttpMetricsHook,
    MongoCommandMetrics,
  ],
  exports: [MetricsService],
})
export class ObservabilityModule {}
