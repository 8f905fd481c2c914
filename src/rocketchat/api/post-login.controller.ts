import { Controller, Get, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionService } from '../../session/index.js';
import { Frameable, PageResponder } from '../../web/index.js';
import { isAppDevice, isMobileAppWebView } from './mobile-app.js';
import { PostLoginPage } from './post-login-page.service.js';
import { PostLoginFilter } from './post-login.filter.js';
import { requestClient } from './request-client.js';

/** `/rocketchat/redirect`: where the login page sends the browser after login (see PostLoginPage). */
@Controller('rocketchat')
@UseFilters(PostLoginFilter)
export class PostLoginController {
  constructor(
    private readonly page: PostLoginPage,
    private readonly sessions: SessionService,
    private readonly pages: PageResponder,
  ) {}

  @Get('redirect')
  @Frameable()
  async redirect(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('popup') popup: unknown,
    @Query('client') client: unknown,
  ): Promise<FastifyReply> {
    const dest = request.headers['sec-fetch-dest'];
    const answer = await this.page.answer(
      await this.sessions.resolve(request),
      {
        mode: { popup: popup === '1', electron: client === 'electron' },
        fetchDest: typeof dest === 'string' ? dest : undefined,
        appDevice: isAppDevice(request.headers),
        mobileAppWebView: isMobileAppWebView(request.headers),
        client: requestClient(request),
      },
    );
    if (answer.kind === 'redirect') {
      return reply
        .status(303)
        .header('cache-control', 'no-store')
        .header('location', answer.location)
        .send();
    }
    return this.pages.send(request, reply, answer.page, answer.context, {
      status: answer.status,
    });
  }
}
