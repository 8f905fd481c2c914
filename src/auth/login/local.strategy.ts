import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-local';
import { DeviceCookie } from '../protection/device-cookie.js';
import { LoginProtection } from '../protection/login-protection.service.js';
import type { AuthenticatedUser } from '../../users/index.js';
import { loginClient } from './login-client.js';
import { InvalidCredentialsError } from './login.errors.js';

/**
 * passport-local, used only to check the form's credentials: no passport session (ours is the
 * Session module's). The check goes through LoginProtection (address budget, concurrency cap,
 * account lockout, or the browser's device cookie; every outcome announced for the audit trail).
 * Unknown user, wrong password, disabled and locked account are one failure.
 */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(
    private readonly protection: LoginProtection,
    private readonly device: DeviceCookie,
  ) {
    super({
      usernameField: 'username',
      passwordField: 'password',
      session: false,
      passReqToCallback: true,
    });
  }

  async validate(
    request: FastifyRequest,
    username: string,
    password: string,
  ): Promise<AuthenticatedUser> {
    const user = await this.protection.verify(
      username,
      password,
      loginClient(request),
      this.device.read(request),
    );
    if (!user) {
      throw new InvalidCredentialsError();
    }
    return user;
  }
}
