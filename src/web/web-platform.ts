import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { getConfigToken } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig, RocketChatConfig } from '../config/index.js';
import { framePolicyHook } from './frame-policy.js';
import { ASSETS_PREFIX, BUILTIN_ASSETS_DIR } from './web-paths.js';

/**
 * What the browser-facing pages need from the HTTP server itself: the framing policy on every
 * response, and static assets under /assets/ (the operator's `VIEWS_DIR/assets/` first). Call it
 * before `app.init()`.
 */
export async function configureWebPlatform(
  app: NestFastifyApplication,
): Promise<void> {
  const appConfig = app.get<AppConfig>(getConfigToken('app'));
  const rocketchat = app.get<RocketChatConfig>(getConfigToken('rocketchat'));
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', framePolicyHook(rocketchat.allowedOrigins));

  const operatorAssets = appConfig.views.dir
    ? join(appConfig.views.dir, 'assets')
    : undefined;
  await app.register(fastifyStatic, {
    root:
      operatorAssets && existsSync(operatorAssets)
        ? [operatorAssets, BUILTIN_ASSETS_DIR]
        : BUILTIN_ASSETS_DIR,
    prefix: `${ASSETS_PREFIX}/`,
    decorateReply: false,
    index: false,
    dotfiles: 'ignore',
    maxAge: '1h',
  });
}
