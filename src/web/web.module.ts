import { Module } from '@nestjs/common';
import { PageResponder } from './page-responder.js';
import { ViewRenderer } from './view-renderer.service.js';

/**
 * Browser pages: the operator's templates and translations (ViewRenderer) and the one way a page
 * is sent (PageResponder). With configureWebPlatform(), the frame policy and static assets. Knows
 * nothing of sessions or logins; they render through it.
 */
@Module({
  providers: [ViewRenderer, PageResponder],
  exports: [PageResponder],
})
export class WebModule {}
