import {
  Controller,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Res,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { MongoConnectionService } from '../database/index.js';

/** Probes for orchestrators: liveness checks nothing, readiness checks the database. */
@Controller('health')
export class HealthController {
  constructor(private readonly mongo: MongoConnectionService) {}

  @Get('live')
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  async ready(
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ status: string; checks: Record<string, string> }> {
    const mongodb = (await this.mongo.ping()) ? 'up' : 'down';
    const ok = mongodb === 'up';
    reply.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'unavailable', checks: { mongodb } };
  }
}
