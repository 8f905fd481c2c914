import {
  Controller,
  Get,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimit, CsrfGuard } from '../../security/index.js';
import { Frameable } from '../../web/index.js';
import { LoginExceptionFilter } from './login-exception.filter.js';
import { LoginService } from './login.service.js';
import { LoginViews } from './login-views.service.js';

/** Logout is a CSRF-checked POST only: a GET must not end a session (a link or image could). */
@Controller('logout')
@UseFilters(LoginExceptionFilter)
export class LogoutController {
  constructor(
    private readonly login: LoginService,
    private readonly views: LoginViews,
  ) {}

  @Post()
  @Frameable()
  @RateLimit('forms')
  @UseGuards(CsrfGuard)
  logout(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.login.logout(request, reply);
  }

  @Get()
  refuseGet(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    void reply.header('allow', 'POST');
    return this.views.error(request, reply, 405, 'method');
  }
}
