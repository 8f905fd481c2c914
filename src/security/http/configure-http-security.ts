import { getConfigToken } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../../config/index.js';
import { securityHeadersHook } from './security-headers.hook.js';
import { registerStrictBodyParsers } from './strict-body-parsers.js';

/**
 * What the server needs before any route: strict body parsers and the security headers on every
 * response. Call after NestFactory.create() and before configureWebPlatform() (whose frame policy
 * hook must run after the headers hook) and app.init().
 */
export function configureHttpSecurity(app: NestFastifyApplication): void {
  const config = app.get<AppConfig>(getConfigToken('app'));
  registerStrictBodyParsers(app);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', securityHeadersHook(config.security));
}
