import type { EnvReader } from './env.js';

/** A bridge user created at the first start of an empty database (BRIDGE_INITIAL_USER). */
export interface InitialUserConfig {
  readonly username: string;
  readonly password: string;
}

/** Django's username characters; the full rules (NFKC, no invisible characters) apply at creation. */
const USERNAME = /^\s*[\p{L}\p{N}_.@+-]{1,150}\s*$/u;

/**
 * BRIDGE_INITIAL_USER with BRIDGE_INITIAL_PASSWORD (or, better, BRIDGE_INITIAL_PASSWORD_FILE, a
 * Docker or Kubernetes secret): both or neither. The password is checked against the length
 * policy here, so a start-up names the problem instead of a failed creation later.
 */
export function readInitialUserConfig(
  r: EnvReader,
  passwordMinLength: number,
): InitialUserConfig | undefined {
  const username = r.string('BRIDGE_INITIAL_USER', {
    pattern: USERNAME,
    patternRule:
      'must be a username: 1-150 letters, digits and the characters _ . @ + -',
  });
  const password = r.string('BRIDGE_INITIAL_PASSWORD', {
    secret: true,
    randomSecret: true,
    minLength: passwordMinLength,
    maxLength: 256,
  });
  const userSet = r.has('BRIDGE_INITIAL_USER');
  const passwordSet = r.has('BRIDGE_INITIAL_PASSWORD', true);
  if (userSet && !passwordSet) {
    r.fail(
      'BRIDGE_INITIAL_PASSWORD',
      'is required with BRIDGE_INITIAL_USER (or BRIDGE_INITIAL_PASSWORD_FILE)',
    );
  } else if (passwordSet && !userSet) {
    r.fail('BRIDGE_INITIAL_USER', 'is required with BRIDGE_INITIAL_PASSWORD');
  }
  return username !== undefined && password !== undefined
    ? { username: username.trim(), password }
    : undefined;
}
