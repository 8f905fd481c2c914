import { describe, expect, it } from 'vitest';
import { loadConfigSubset } from './configuration.js';
import { ConfigValidationError, type Env } from './env.js';

const FILES: Record<string, string> = {
  '/run/secrets/initial': 'from-a-secret-file-123\n',
};
const readFile = (path: string): string => {
  if (!(path in FILES)) {
    throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  }
  return FILES[path];
};

function initialUser(env: Env) {
  return loadConfigSubset(env, ['auth'], readFile).auth?.initialUser;
}

function problems(env: Env): string[] {
  try {
    loadConfigSubset(env, ['auth'], readFile);
    return [];
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return error.problems.map((p) => `${p.variable}: ${p.rule}`);
    }
    throw error;
  }
}

describe('BRIDGE_INITIAL_USER', () => {
  it('should be off unless set', () => {
    expect(initialUser({})).toBeUndefined();
  });

  it('should take the password from the variable or, better, from a file', () => {
    expect(
      initialUser({
        BRIDGE_INITIAL_USER: ' admin ',
        BRIDGE_INITIAL_PASSWORD: 'a-long-enough-password',
      }),
    ).toEqual({ username: 'admin', password: 'a-long-enough-password' });
    expect(
      initialUser({
        BRIDGE_INITIAL_USER: 'Zoë',
        BRIDGE_INITIAL_PASSWORD_FILE: '/run/secrets/initial',
      }),
    ).toEqual({ username: 'Zoë', password: 'from-a-secret-file-123' });
  });

  it('should refuse half a pair, a bad name, a short or placeholder password, never showing values', () => {
    expect(problems({ BRIDGE_INITIAL_USER: 'admin' })).toEqual([
      'BRIDGE_INITIAL_PASSWORD: is required with BRIDGE_INITIAL_USER (or BRIDGE_INITIAL_PASSWORD_FILE)',
    ]);
    expect(
      problems({ BRIDGE_INITIAL_PASSWORD: 'a-long-enough-password' }),
    ).toEqual([
      'BRIDGE_INITIAL_USER: is required with BRIDGE_INITIAL_PASSWORD',
    ]);
    expect(
      problems({
        BRIDGE_INITIAL_USER: 'two words',
        BRIDGE_INITIAL_PASSWORD: 'tiny',
        PASSWORD_MIN_LENGTH: '12',
      }),
    ).toEqual([
      'BRIDGE_INITIAL_USER: must be a username: 1-150 letters, digits and the characters _ . @ + -',
      'BRIDGE_INITIAL_PASSWORD: must be at least 12 characters long',
    ]);
    expect(
      problems({
        BRIDGE_INITIAL_USER: 'admin',
        BRIDGE_INITIAL_PASSWORD: 'changeme-please',
      }),
    ).toEqual([
      'BRIDGE_INITIAL_PASSWORD: is a placeholder copied from an example: set a random value (openssl rand -base64 32)',
    ]);
    expect(
      problems({
        BRIDGE_INITIAL_USER: 'admin',
        BRIDGE_INITIAL_PASSWORD_FILE: '/run/secrets/missing',
      }),
    ).toEqual([
      'BRIDGE_INITIAL_PASSWORD_FILE: names a file that cannot be read (ENOENT)',
      'BRIDGE_INITIAL_PASSWORD: is required with BRIDGE_INITIAL_USER (or BRIDGE_INITIAL_PASSWORD_FILE)',
    ]);
  });
});
