import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { routeLabel } from '../logging/route-label.js';
import { MetricsService } from './metrics.service.js';

/** Times every HTTP response into `rcbridge_http_request_duration_seconds`. */
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    // Absent in a standalone application context (the CLI).
    const fastify =
      this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) {
      return;
    }
    fastify.addHook('onResponse', (request, reply, done) => {
      this.metrics.httpRequest(
        request.method,
        routeLabel(request),
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      done();
    });
  }
}
