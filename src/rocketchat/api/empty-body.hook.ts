import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

const PATHS = ['/rocketchat/api', '/rocketchat/logout'];

/**
 * React-era Rocket.Chat clients call the API URL with `Content-Type: application/json` and no
 * body, which Fastify's JSON parser refuses (400) before any handler runs. For the two endpoints
 * Rocket.Chat calls, a body-less request's content type is dropped so it reaches the handler
 * (neither reads a body).
 */
@Injectable()
export class EmptyBodyHook implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    // A standalone application context (the CLI) has no HTTP server.
    const adapter = this.adapterHost.httpAdapter as
      typeof this.adapterHost.httpAdapter | null;
    if (!adapter) {
      return;
    }
    const fastify = adapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, _reply, done) => {
      const path = request.url.split('?')[0];
      const headers = request.raw.headers;
      if (
        PATHS.includes(path) &&
        headers['transfer-encoding'] === undefined &&
        (headers['content-length'] === undefined ||
          headers['content-length'] === '0')
      ) {
        delete headers['content-type'];
      }
      done();
    });
  }
}
