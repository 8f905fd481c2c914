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
import { RateLimit } from '../../security/index.js';
import { CsrfGuard, Frameable } from '../../session/index.js';
import { LoginExceptionFilter } from './login-exception.filter.js';
import { LoginService } from './login.service.js';
import { SignedInPage } from './signed-in-page.service.js';

/**
 * Logout is a CSRF-checked POST only: a GET must not end a session (a link or image could), so
 * GET shows the page with the log-out button (or the login form).
 */
@Controller('logout')
@UseFilters(LoginExceptionFilter)
export class LogoutController {
  constructor(
    private readonly login: LoginService,
    private readonly signedIn: SignedInPage,
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
  show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.signedIn.show(request, reply);
  }
}
