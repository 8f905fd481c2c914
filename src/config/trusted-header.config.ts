import type { EnvReader } from './env.js';

/**
 * Sign-in by a header that a forward-auth proxy in front of the bridge sets (oauth2-proxy,
 * Authelia, Pomerium). Header names are kept lower-case, as Node hands them over.
 */
export interface TrustedHeaderConfig {
  /** The person's stable id at the proxy (`x-forwarded-user`, `remote-user`). */
  readonly userHeader: string;
  /** The login name, when the proxy sends it apart from the id; default: the id itself. */
  readonly usernameHeader: string | undefined;
  readonly emailHeader: string | undefined;
  readonly nameHeader: string | undefined;
  /** Comma-separated group names. */
  readonly groupsHeader: string | undefined;
  /** A first sign-in may take over the bridge user with the same user name (not tied to a source). */
  readonly linkByUsername: boolean;
}

/** RFC 9110 token characters: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const HEADER_RULE = 'must be an HTTP header name such as X-Forwarded-User';
/** Headers a client or the bridge's own hops set: never an identity. */
const REFUSED = new Set([
  'cookie',
  'authorization',
  'host',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'forwarded',
  'user-agent',
]);

/**
 * TRUSTED_HEADER_*: off unless TRUSTED_HEADER_USER is set, and then only with TRUST_PROXY naming
 * the proxy (a header anyone can send identifies nobody).
 */
export function readTrustedHeaderConfig(
  r: EnvReader,
  trustProxy: readonly string[],
): TrustedHeaderConfig | undefined {
  const header = (name: string): string | undefined => {
    const value = r.string(name, {
      pattern: HEADER_NAME,
      patternRule: HEADER_RULE,
    });
    if (value !== undefined && REFUSED.has(value.toLowerCase())) {
      r.fail(name, 'must name a header the proxy sets, not a standard one');
      return undefined;
    }
    return value?.toLowerCase();
  };
  const userHeader = header('TRUSTED_HEADER_USER');
  const others = {
    usernameHeader: header('TRUSTED_HEADER_USERNAME'),
    emailHeader: header('TRUSTED_HEADER_EMAIL'),
    nameHeader: header('TRUSTED_HEADER_NAME'),
    groupsHeader: header('TRUSTED_HEADER_GROUPS'),
  };
  const linkByUsername = r.bool('TRUSTED_HEADER_LINK_BY_USERNAME', false);
  if (userHeader === undefined) {
    for (const [key, value] of Object.entries(others)) {
      if (value !== undefined) {
        r.fail(
          'TRUSTED_HEADER_USER',
          `is required when ${variableOf(key)} is set`,
        );
      }
    }
    return undefined;
  }
  if (trustProxy.length === 0) {
    r.fail(
      'TRUSTED_HEADER_USER',
      'needs TRUST_PROXY naming the proxy that sets it (a header any client can send identifies nobody)',
    );
  }
  return { userHeader, ...others, linkByUsername };
}

function variableOf(key: string): string {
  return `TRUSTED_HEADER_${key.replace('Header', '').toUpperCase()}`;
}
