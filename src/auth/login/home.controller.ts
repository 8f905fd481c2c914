import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LoginExceptionFilter } from './login-exception.filter.js';
import { SignedInPage } from './signed-in-page.js';

/** `/`: the signed-in page or the login form. Not frameable (only the login routes are). */
@Controller()
@UseFilters(LoginExceptionFilter)
export class HomeController {
  constructor(private readonly page: SignedInPage) {}

  @Get()
  show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.page.show(request, reply);
  }
}
