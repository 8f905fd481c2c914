import {
  Controller,
  Get,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimit, CsrfGuard } from '../../security/index.js';
import { Frameable } from '../../web/index.js';
import type { AuthenticatedUser } from '../../users/index.js';
import { LocalAuthGuard } from './local-auth.guard.js';
import { LoginExceptionFilter } from './login-exception.filter.js';
import { LoginService } from './login.service.js';

/** The login page (Rocket.Chat's Iframe URL is `/login/?next=…`; both slash forms answer). */
@Controller('login')
@UseFilters(LoginExceptionFilter)
export class LoginController {
  constructor(private readonly login: LoginService) {}

  @Get()
  @Frameable()
  show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('next') next: unknown,
    @Query('popup') popup: unknown,
    @Query('client') client: unknown,
  ): Promise<FastifyReply> {
    return this.login.show(request, reply, { next, popup, client });
  }

  /**
   * The rate limit first (a global guard), then CSRF, then the form's shape, then the credentials
   * (guards run in this order).
   */
  @Post()
  @Frameable()
  @RateLimit('forms')
  @UseGuards(CsrfGuard, LocalAuthGuard)
  submit(
    @Req() request: FastifyRequest & { user: AuthenticatedUser },
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.login.complete(request, reply, request.user);
  }

  @Post('continue')
  @Frameable()
  @RateLimit('forms')
  @UseGuards(CsrfGuard)
  continue(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return this.login.continue(request, reply);
  }
}
