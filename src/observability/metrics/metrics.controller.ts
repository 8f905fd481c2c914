import {
  Controller,
  Get,
  Headers,
  NotFoundException,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { MetricsAccess } from './metrics-access.service.js';
import { MetricsService } from './metrics.service.js';

/** `/metrics` on the main port, served when METRICS_TOKEN is set and METRICS_PORT is not. */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly access: MetricsAccess,
    private readonly metrics: MetricsService,
  ) {}

  @Get()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const result = this.access.check('main', authorization);
    if (result === 'not-served') {
      throw new NotFoundException();
    }
    void reply.header('Cache-Control', 'no-store');
    if (result === 'unauthorized') {
      void reply.header('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new UnauthorizedException();
    }
    void reply.header('Content-Type', this.metrics.contentType);
    return this.metrics.render();
  }
}
