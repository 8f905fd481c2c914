import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InjectConfig, type AppConfig } from '../../config/index.js';
import { LocaleCatalog } from './locale-catalog.js';
import { ViewRenderer } from './view-renderer.service.js';
import { ASSETS_PREFIX, BUILTIN_LOCALES_DIR } from './web-paths.js';

/**
 * Sends a page: picks the language from Accept-Language, adds branding and the values every
 * template may use, and the headers every page needs (no caching: pages carry CSRF tokens).
 * Framing headers come from the frame policy hook (see `Frameable`).
 */
@Injectable()
export class PageResponder {
  readonly catalog: LocaleCatalog;
  private readonly brand: Record<string, string>;

  constructor(
    @InjectConfig('app') app: AppConfig,
    private readonly renderer: ViewRenderer,
  ) {
    this.catalog = new LocaleCatalog(
      app.views.dir
        ? [BUILTIN_LOCALES_DIR, join(app.views.dir, 'locales')]
        : [BUILTIN_LOCALES_DIR],
    );
    this.brand = {
      title: app.brand.title,
      logoUrl: app.brand.logoUrl ?? `${ASSETS_PREFIX}/logo.svg`,
      primaryColor: app.brand.primaryColor,
      backgroundColor: app.brand.backgroundColor,
    };
  }

  send(
    request: FastifyRequest,
    reply: FastifyReply,
    page: string,
    context: Record<string, unknown> = {},
    status = 200,
  ): FastifyReply {
    const lang = this.catalog.negotiate(request.headers['accept-language']);
    const html = this.renderer.render(
      page,
      {
        ...context,
        lang,
        brand: this.brand,
        assets: ASSETS_PREFIX,
        // For an inline <style>/<script>; a later CSP can allow exactly this one.
        cspNonce: randomBytes(16).toString('base64url'),
      },
      { messages: this.catalog.messages(lang) },
    );
    return (
      reply
        .status(status)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-language', lang)
        .header('x-content-type-options', 'nosniff')
        // Not no-referrer: with it Chromium sends `Origin: null` on the page's own form posts.
        .header('referrer-policy', 'same-origin')
        .send(html)
    );
  }
}
