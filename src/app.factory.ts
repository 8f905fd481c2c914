import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { type AllConfig, loadConfig, processEnv } from './config/index.js';
import { ShutdownState } from './health/index.js';
import { Logging } from './observability/index.js';
import {
  configureHttpSecurity,
  httpServerOptions,
  ROUTER_LIMITS,
} from './security/index.js';
import { configureWebPlatform } from './web/index.js';

export interface CreateAppOptions extends AppModuleOptions {
  /** `false` silences every log line (tests); otherwise LOG_LEVEL and LOG_FORMAT apply. */
  readonly logger?: false;
  /** Where log lines go instead of stdout (tests capture them). */
  readonly logDestination?: DestinationStream;
}

/**
 * Builds the application exactly as production runs it; tests call this too, so what they prove
 * is what ships. Throws ConfigValidationError before anything starts when the config is invalid.
 */
export async function createApp(
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const config: AllConfig =
    options.config ?? loadConfig(options.env ?? processEnv());
  const logging = Logging.fromConfig(config, {
    destination: options.logDestination,
    silent: options.logger === false,
  });
  const adapter = new FastifyAdapter({
    // pino JSON through Fastify's logger, request ids, one log line per request.
    ...logging.fastifyOptions,
    // Body, header and parameter limits, the request timeout (HTTP_REQUEST_TIMEOUT: a stalled
    // client must not hold a socket forever) and the trusted proxies (TRUST_PROXY).
    ...httpServerOptions(config.app.security),
    connectionTimeout: 60_000,
    keepAliveTimeout: 72_000,
    // Rocket.Chat's Iframe URL is `/login/?next=…`: every route answers with and without the slash.
    routerOptions: { ignoreTrailingSlash: true, ...ROUTER_LIMITS },
  });
  logging.attachTo(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config }),
    adapter,
    {
      logger: logging.nestLogger,
      abortOnError: false,
      // On shutdown: new requests get 503 and in-flight ones finish. Nest's forceCloseConnections is
      // left off on purpose: it destroys every socket, in-flight requests included; Fastify 5 closes
      // idle keep-alive sockets by itself (forceCloseConnections: 'idle' is its default).
      return503OnClosing: true,
      // Strict parsers replace Nest's lenient ones (configureHttpSecurity).
      bodyParser: false,
    },
  );
  const shutdown = app.get(ShutdownState);
  // Responses finished while draining close their socket; otherwise close() would wait for each
  // client's keep-alive connection to time out.
  adapter.getInstance().addHook('onSend', (_request, reply, payload, done) => {
    if (shutdown.isDraining) {
      void reply.header('connection', 'close');
    }
    done(null, payload);
  });
  // Headers hook first: the frame policy hook then adds frame-ancestors to the CSP it leaves.
  configureHttpSecurity(app);
  await configureWebPlatform(app);
  await app.init();
  return app;
}
