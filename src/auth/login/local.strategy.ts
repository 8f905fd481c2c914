import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import { CredentialsService, type AuthenticatedUser } from '../users/index.js';
import { InvalidCredentialsError } from './login.errors.js';

/**
 * passport-local, used only to check the form's credentials: no passport session (ours is the
 * Session module's). Unknown user, wrong password and disabled account are one failure.
 */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly credentials: CredentialsService) {
    super({
      usernameField: 'username',
      passwordField: 'password',
      session: false,
    });
  }

  async validate(
    username: string,
    password: string,
  ): Promise<AuthenticatedUser> {
    const user = await this.credentials.verify(username, password);
    if (!user) {
      throw new InvalidCredentialsError();
    }
    return user;
  }
}
