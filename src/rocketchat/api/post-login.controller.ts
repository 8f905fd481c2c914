import { Controller, Get, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Frameable } from '../../web/index.js';
import { PostLoginPage } from './post-login-page.service.js';
import { PostLoginFilter } from './post-login.filter.js';

/** `/rocketchat/redirect`: where the login page sends the browser after login (see PostLoginPage). */
@Controller('rocketchat')
@UseFilters(PostLoginFilter)
export class PostLoginController {
  constructor(private readonly page: PostLoginPage) {}

  @Get('redirect')
  @Frameable()
  redirect(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('popup') popup: unknown,
    @Query('client') client: unknown,
  ): Promise<FastifyReply> {
    return this.page.show(request, reply, {
      popup: popup === '1',
      electron: client === 'electron',
    });
  }
}
