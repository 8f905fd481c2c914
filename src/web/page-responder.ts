import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InjectConfig, type AppConfig } from '../config/index.js';
import {
  logoImageSources,
  pageContentSecurityPolicy,
} from './content-security-policy.js';
import { brandPalette, type BrandPalette } from './brand-palette.js';
import { LocaleCatalog } from './locale-catalog.js';
import { randomToken } from '../common/index.js';
import { RenderedPageCache } from './rendered-page-cache.js';
import { ViewRenderer } from './view-renderer.service.js';
import { ASSETS_PREFIX, BUILTIN_LOCALES_DIR } from './web-paths.js';

/**
 * Sends a page: picks the language from Accept-Language, adds branding and the values every
 * template may use, and the headers every page needs (no caching: pages carry CSRF tokens; a CSP
 * whose nonce is the page's `cspNonce`, unless the route set its own). Framing headers come from
 * the frame policy hook (see `Frameable`).
 */
@Injectable()
export class PageResponder {
  readonly catalog: LocaleCatalog;
  private readonly brand: Record<string, string | BrandPalette>;
  private readonly shells = new RenderedPageCache();
  private readonly imageSources: readonly string[];

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
      // Both colour schemes, adjusted to stay readable (head.hbs sets them as CSS variables).
      palette: brandPalette(app.brand.primaryColor, app.brand.backgroundColor),
    };
    this.imageSources = logoImageSources(app.brand.logoUrl);
  }

  /**
   * Renders `page` and sends it. Values in `volatile` change on every request (tokens); with a
   * `cacheKey`, the rest of the page is rendered once per key and language, and only those values
   * are filled in per request (when templates are cached: VIEWS_CACHE).
   */
  send(
    request: FastifyRequest,
    reply: FastifyReply,
    page: string,
    context: Record<string, unknown> = {},
    options: PageOptions = {},
  ): FastifyReply {
    const lang = this.catalog.negotiate(request.headers['accept-language']);
    const volatile = { ...options.volatile, cspNonce: randomToken(16) };
    const render = (values: Readonly<Record<string, string>>): string =>
      this.renderer.render(
        page,
        {
          ...context,
          ...values,
          lang,
          brand: this.brand,
          assets: ASSETS_PREFIX,
        },
        { messages: this.catalog.messages(lang) },
      );
    const html =
      options.cacheKey !== undefined && this.renderer.caching
        ? this.shells.render(
            `${page}\u0000${lang}\u0000${options.cacheKey}`,
            volatile,
            render,
          )
        : render(volatile);
    if (!reply.hasHeader('content-security-policy')) {
      void reply.header(
        'content-security-policy',
        pageContentSecurityPolicy(volatile.cspNonce, this.imageSources),
      );
    }
    return (
      reply
        .status(options.status ?? 200)
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

export interface PageOptions {
  readonly status?: number;
  /**
   * Values that differ on every request (CSRF tokens); `[A-Za-z0-9_-]` only. `cspNonce` (for an
   * inline `<style>`/`<script>`) is always added.
   */
  readonly volatile?: Readonly<Record<string, string>>;
  /**
   * Set when the page is the same for every request with this key (and language), but for
   * `volatile`: it is then rendered once. The key must cover everything in the context.
   */
  readonly cacheKey?: string;
}
