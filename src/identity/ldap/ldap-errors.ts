import { ResultCodeError } from 'ldapts';

/**
 * No configured directory server answered: refused or timed-out connections, a TLS failure
 * (untrusted or expired certificate, StartTLS refused), a server that is busy or unavailable.
 * Directory sign-in fails closed and readable; local sign-in is unaffected.
 */
export class LdapUnavailableError extends Error {
  constructor(
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`The directory is unavailable: ${detail}`, options);
    this.name = 'LdapUnavailableError';
  }
}

/**
 * The directory answered, but the bridge's settings do not work with it: the service bind was
 * refused, the search base does not exist, the stable id attribute cannot be read. Only the
 * operator can fix it; the message says what to look at, never a password.
 */
export class LdapConfigurationError extends Error {
  constructor(
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`The directory configuration does not work: ${detail}`, options);
    this.name = 'LdapConfigurationError';
  }
}

/** An LDAP result code the server sent (as opposed to a network or TLS failure). */
export function resultCodeOf(error: unknown): number | undefined {
  return error instanceof ResultCodeError ? error.code : undefined;
}

/** busy (51) and unavailable (52): the server is there but cannot serve; try another one. */
export function isServerUnavailableCode(code: number | undefined): boolean {
  return code === 51 || code === 52;
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** A short, secret-free description of why talking to a server failed, for logs and errors. */
export function describeLdapError(error: unknown): string {
  if (
    error instanceof LdapUnavailableError ||
    error instanceof LdapConfigurationError
  ) {
    // "ldap://host:389: connection refused" → "connection refused"
    return error.detail.replace(/^ldaps?:\/\/\S+?: /, '');
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    if (TLS_CODES.has(code)) {
      return `the server's TLS certificate is not trusted (${code}): check LDAP_CA_FILE and the host name in LDAP_URL`;
    }
    if (code === 'ECONNREFUSED') {
      return 'connection refused';
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return `host name not found (${code})`;
    }
    if (code.startsWith('E')) {
      return `network error (${code})`;
    }
    if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) {
      return `TLS failure (${code})`;
    }
  }
  const rc = resultCodeOf(error);
  const message =
    error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (rc !== undefined) {
    return `LDAP result ${rc} (${error instanceof Error ? error.name : 'error'})${diagnostic(message)}`;
  }
  if (/timed? ?out/i.test(message)) {
    return message.includes('Connection')
      ? 'connecting timed out'
      : 'the server did not answer in time';
  }
  return message.slice(0, 200) || 'unknown error';
}

/** ldapts appends " Code: 0x31" to the server's diagnostic message; keep only the latter. */
function diagnostic(message: string): string {
  const text = message.replace(/\s*Code: 0x[0-9a-f]+$/i, '').trim();
  return text ? `: ${text.slice(0, 200)}` : '';
}
