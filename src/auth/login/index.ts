import { HomeController } from './home.controller.js';
import { LocalAuthGuard } from './local-auth.guard.js';
import { LocalStrategy } from './local.strategy.js';
import { LoginController } from './login.controller.js';
import { LoginExceptionFilter } from './login-exception.filter.js';
import { LoginService } from './login.service.js';
import { LoginViews } from './login-views.js';
import { LogoutController } from './logout.controller.js';
import { SignedInPage } from './signed-in-page.js';

export { InvalidCredentialsError } from './login.errors.js';
export { DEFAULT_NEXT, safeNext } from './next-target.js';

/** Wired into AuthModule . */
export const LOGIN_CONTROLLERS = [
  LoginController,
  LogoutController,
  HomeController,
];
export const LOGIN_PROVIDERS = [
  LocalStrategy,
  LocalAuthGuard,
  LoginService,
  LoginViews,
  LoginExceptionFilter,
  SignedInPage,
];
