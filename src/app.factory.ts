import type { LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import { AppModule, type AppModuleOptions } from './app.module.js';
import {
  loadConfig,
  processEnv,
  type AllConfig,
  type LogLevel,
} from './config/index.js';
import { ShutdownState } from './health/shutdown-state.js';
import { configureWebPlatform } from './session/index.js';

export interface CreateAppOptions extends AppModuleOptions {
  /** Override the configured log level's Nest logger (tests pass `false` to silence it). */
  readonly logger?: false | NestLogLevel[];
}

const NEST_LEVELS: Record<LogLevel, NestLogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/**
 * Builds the application exactly as production runs it; tests call this too, so what they prove
 * is what ships. Throws ConfigValidationError before anything starts when the config is invalid.
 */
export async function createApp(
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const config: AllConfig =
    options.config ?? loadConfig(options.env ?? processEnv());
  const adapter = new FastifyAdapter({
    // Requests must not hang forever on a stalled client (Fastify's default is no limit).
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 72_000,
    // Rocket.Chat's Iframe URL is `/login/?next=…`: every route answers with and without the slash.
    routerOptions: { ignoreTrailingSlash: true },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config }),
    adapter,
    {
      logger: options.logger ?? NEST_LEVELS[config.app.logLevel],
      abortOnError: false,
      // On shutdown: new requests get 503 and in-flight ones finish. Nest's forceCloseConnections is
      // left off on purpose: it destroys every socket, in-flight requests included; Fastify 5 closes
      // idle keep-alive sockets by itself (forceCloseConnections: 'idle' is its default).
      return503OnClosing: true,
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
  await configureWebPlatform(app);
  await app.init();
  return app;
}
