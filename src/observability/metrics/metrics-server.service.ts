import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import { type AppConfig, InjectConfig } from '../../config/index.js';
import { pathOf } from '../logging/route-label.js';
import { MetricsAccess } from './metrics-access.service.js';
import { MetricsService } from './metrics.service.js';

/**
 * `/metrics` on METRICS_HOST:METRICS_PORT, apart from the public port: the usual way to keep
 * metrics internal (bind to loopback or a private interface, do not publish the port). A plain
 * Node server: it serves one path and must not share the public app's hooks, limits or routes.
 */
@Injectable()
export class MetricsServer
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(MetricsServer.name);
  private server: Server | undefined;

  constructor(
    @InjectConfig('app') private readonly app: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly access: MetricsAccess,
    private readonly metrics: MetricsService,
  ) {}

  /** The bound port, once listening. */
  get port(): number | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host, token } = this.app.metrics;
    if (!this.adapterHost.httpAdapter) {
      // A standalone context (the CLI) next to the running server must not take its port.
      return;
    }
    if (port === undefined) {
      if (token === undefined) {
        this.logger.log(
          'Metrics are not served: set METRICS_TOKEN or METRICS_PORT to expose /metrics',
        );
      }
      return;
    }
    const server = createServer((request, response) => {
      void this.handle(request, response);
    });
    server.requestTimeout = 10_000;
    server.headersTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(
      `Metrics on http://${host}:${this.port}/metrics${token ? ' (bearer token required)' : ''}`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) {
      return;
    }
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    response.setHeader('Cache-Control', 'no-store');
    if (
      pathOf(request.url ?? '') !== '/metrics' ||
      (request.method !== 'GET' && request.method !== 'HEAD')
    ) {
      response
        .writeHead(404, { 'Content-Type': 'text/plain' })
        .end('Not Found\n');
      return;
    }
    if (
      this.access.check('internal', request.headers.authorization) !== 'allowed'
    ) {
      response
        .writeHead(401, {
          'Content-Type': 'text/plain',
          'WWW-Authenticate': 'Bearer realm="metrics"',
        })
        .end('Unauthorized\n');
      return;
    }
    try {
      const body = await this.metrics.render();
      response.writeHead(200, { 'Content-Type': this.metrics.contentType });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      this.logger.error('Could not render metrics', error);
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end('Error\n');
    }
  }
}
