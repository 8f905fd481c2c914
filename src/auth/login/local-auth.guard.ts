import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { parseLoginForm } from './login-form.js';
import { InvalidCredentialsError } from './login.errors.js';

/**
 * Nest's passport guard for the login form, on Fastify requests (passport-local reads
 * `request.body`, which Fastify has parsed by then). The form is validated first, so malformed
 * input is a 400 before any user lookup or hashing; the user ends up in `request.user`.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override canActivate(context: ExecutionContext) {
    parseLoginForm(context.switchToHttp().getRequest<FastifyRequest>().body);
    return super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error instanceof Error) {
      throw error;
    }
    if (error) {
      throw new Error('The credential check failed');
    }
    if (!user) {
      throw new InvalidCredentialsError();
    }
    return user;
  }
}
