import { parseUsername } from '../../users/index.js';
import { InvalidLoginFormError } from './login.errors.js';

/** Bounds of the form fields (characters); the credential check applies its own, stricter rules. */
export const LOGIN_FORM_LIMITS = { username: 256, password: 1024 } as const;

export interface LoginForm {
  readonly username: string;
  readonly password: string;
}

/**
 * The login form's credentials, validated before anything looks at them: both present, plain
 * strings (a repeated field or `username[$ne]=` arrives as an array or object), within bounds,
 * and a username that could belong to a user (the user rules: no control or invisible
 * characters, no whitespace, only letters, digits and `_ . @ + -`). That says nothing about any
 * user, and keeps odd input out of lookups, throttle keys and logs.
 */
export function parseLoginForm(body: unknown): LoginForm {
  if (typeof body !== 'object' || body === null) {
    throw new InvalidLoginFormError('missing');
  }
  const { username, password } = body as Record<string, unknown>;
  if (username === undefined || password === undefined) {
    throw new InvalidLoginFormError('missing');
  }
  if (typeof username !== 'string' || typeof password !== 'string') {
    throw new InvalidLoginFormError('malformed');
  }
  if (username.trim() === '' || password === '') {
    throw new InvalidLoginFormError('missing');
  }
  if (
    username.length > LOGIN_FORM_LIMITS.username ||
    password.length > LOGIN_FORM_LIMITS.password
  ) {
    throw new InvalidLoginFormError('too-long');
  }
  if (!parseUsername(username).ok) {
    throw new InvalidLoginFormError('malformed');
  }
  return { username, password };
}
