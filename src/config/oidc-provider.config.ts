import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { EnvReader } from './env.js';
import { isLoopbackHost, parseBaseUrl } from './urls.js';

export type OidcTokenAuthMethod =
  'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** JWS algorithms of a private_key_jwt client assertion, decided by the key's type. */
export type OidcAssertionAlg = 'RS256' | 'ES256' | 'ES384' | 'EdDSA';

export type OidcClientAuth =
  | {
      readonly method: 'client_secret_basic' | 'client_secret_post';
      /** Never logged. */
      readonly clientSecret: string;
    }
  | {
      readonly method: 'private_key_jwt';
      /** PKCS#8 PEM, never logged. */
      readonly privateKeyPem: string;
      readonly alg: OidcAssertionAlg;
      /** `kid` of the assertions; undefined = the key's RFC 7638 thumbprint. */
      readonly keyId: string | undefined;
    };

/** Which claims make the person; each a claim name of the ID token or userinfo. */
export interface OidcClaimNames {
  readonly username: string;
  readonly email: string;
  readonly name: string;
  readonly groups: string;
}

export interface OidcProviderConfig {
  /** `default` for the OIDC_* provider, else the slug listed in OIDC_PROVIDERS. */
  readonly id: string;
  /** Label of the login page's button. */
  readonly name: string;
  /** The issuer identifier exactly as configured (compared byte for byte with discovery's). */
  readonly issuer: string;
  /** An http issuer (localhost only): openid-client must be told to allow it. */
  readonly insecureHttp: boolean;
  readonly clientId: string;
  readonly auth: OidcClientAuth;
  readonly scopes: readonly string[];
  readonly claims: OidcClaimNames;
  /** Ask the userinfo endpoint too (claims there win over the ID token's, `sub` must match). */
  readonly userinfo: boolean;
  /** Link to an existing bridge user with the same address, if the provider says it is verified. */
  readonly linkByEmail: boolean;
  /**
   * A bridge logout also ends the person's session at the provider (RP-initiated logout), where
   * the provider has an end_session_endpoint.
   */
  readonly logoutAtProvider: boolean;
  /** PUBLIC_URL/login/oidc/callback (default) or PUBLIC_URL/login/oidc/<id>/callback. */
  readonly redirectUri: string;
}

/** The documented names of the default provider; another provider's put its id after OIDC_. */
export const OIDC_PROVIDER_VARIABLES = {
  issuer: 'OIDC_ISSUER',
  clientId: 'OIDC_CLIENT_ID',
  clientSecret: 'OIDC_CLIENT_SECRET',
  name: 'OIDC_NAME',
  scopes: 'OIDC_SCOPES',
  usernameClaim: 'OIDC_USERNAME_CLAIM',
  emailClaim: 'OIDC_EMAIL_CLAIM',
  nameClaim: 'OIDC_NAME_CLAIM',
  groupsClaim: 'OIDC_GROUPS_CLAIM',
  authMethod: 'OIDC_TOKEN_AUTH_METHOD',
  privateKey: 'OIDC_PRIVATE_KEY',
  privateKeyId: 'OIDC_PRIVATE_KEY_ID',
  userinfo: 'OIDC_USERINFO',
  linkByEmail: 'OIDC_LINK_BY_EMAIL',
  logoutAtProvider: 'OIDC_LOGOUT_AT_PROVIDER',
} as const;

type VariableKey = keyof typeof OIDC_PROVIDER_VARIABLES;

export const DEFAULT_PROVIDER_ID = 'default';

/** `keycloak` → OIDC_KEYCLOAK_ISSUER, `my-idp` → OIDC_MY_IDP_ISSUER. */
export function providerVariable(id: string, key: VariableKey): string {
  const name = OIDC_PROVIDER_VARIABLES[key];
  if (id === DEFAULT_PROVIDER_ID) {
    return name;
  }
  return name.replace(
    /^OIDC_/,
    `OIDC_${id.toUpperCase().replaceAll('-', '_')}_`,
  );
}

const CLAIM_NAME = /^[\x21-\x7e]{1,200}$/;
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Reads one provider; `undefined` when its issuer is not set (only possible for the default). */
export function readOidcProvider(
  r: EnvReader,
  id: string,
  publicUrl: string,
): OidcProviderConfig | undefined {
  const v = (key: VariableKey): string => providerVariable(id, key);
  const issuerText = r.string(v('issuer'));
  if (issuerText === undefined) {
    if (id !== DEFAULT_PROVIDER_ID) {
      r.fail(v('issuer'), `is required: ${id} is listed in OIDC_PROVIDERS`);
    } else {
      for (const key of ['clientId', 'privateKeyId'] as const) {
        if (r.has(v(key))) {
          r.fail(v('issuer'), `is required when ${v(key)} is set`);
        }
      }
      for (const key of ['clientSecret', 'privateKey'] as const) {
        if (r.has(v(key), true)) {
          r.fail(v('issuer'), `is required when ${v(key)} is set`);
        }
      }
    }
    return undefined;
  }
  const issuer = readIssuer(r, v('issuer'), issuerText);
  const clientId =
    r.string(v('clientId'), {
      required: true,
      maxLength: 512,
      pattern: /^[\x20-\x7e]+$/,
      patternRule: 'must be printable ASCII',
    }) ?? '';
  const scopes = readScopes(r, v('scopes'));
  return {
    id,
    name: r.string(v('name'), {
      default: id === DEFAULT_PROVIDER_ID ? 'Single sign-on' : id,
      maxLength: 60,
    }),
    issuer: issuer?.href ?? issuerText,
    insecureHttp: issuer?.protocol === 'http:',
    clientId,
    auth: readClientAuth(r, id),
    scopes,
    claims: {
      username: readClaim(r, v('usernameClaim'), 'preferred_username'),
      email: readClaim(r, v('emailClaim'), 'email'),
      name: readClaim(r, v('nameClaim'), 'name'),
      groups: readClaim(r, v('groupsClaim'), 'groups'),
    },
    userinfo: r.bool(v('userinfo'), true),
    linkByEmail: r.bool(v('linkByEmail'), false),
    logoutAtProvider: r.bool(v('logoutAtProvider'), true),
    redirectUri:
      id === DEFAULT_PROVIDER_ID
        ? `${publicUrl}/login/oidc/callback`
        : `${publicUrl}/login/oidc/${id}/callback`,
  };
}

function readIssuer(
  r: EnvReader,
  name: string,
  value: string,
): { href: string; protocol: string } | undefined {
  const parsed = parseBaseUrl(value.trim());
  if (!parsed.ok) {
    r.fail(name, parsed.rule);
    return undefined;
  }
  if (parsed.url.protocol === 'http:' && !isLoopbackHost(parsed.url.hostname)) {
    r.fail(name, 'must be https unless it is a localhost URL');
    return undefined;
  }
  // Discovery compares issuers byte for byte: keep what the operator wrote, minus surrounding blanks.
  return { href: value.trim(), protocol: parsed.url.protocol };
}

function readScopes(r: EnvReader, name: string): string[] {
  const value = r.string(name, { default: 'openid profile email' });
  const scopes = [...new Set(value.split(/\s+/).filter((s) => s !== ''))];
  if (!scopes.every((s) => SCOPE.test(s))) {
    r.fail(name, 'must be scope names separated by spaces');
  } else if (!scopes.includes('openid')) {
    r.fail(name, 'must include openid');
  }
  return scopes;
}

function readClaim(r: EnvReader, name: string, fallback: string): string {
  return r.string(name, {
    default: fallback,
    pattern: CLAIM_NAME,
    patternRule: 'must be a claim name (1-200 printable characters, no spaces)',
  });
}

function readClientAuth(r: EnvReader, id: string): OidcClientAuth {
  const v = (key: VariableKey): string => providerVariable(id, key);
  const method = r.oneOf<OidcTokenAuthMethod>(
    v('authMethod'),
    ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    'client_secret_basic',
  );
  if (method !== 'private_key_jwt') {
    const clientSecret = r.string(v('clientSecret'), {
      secret: true,
      randomSecret: true,
      maxLength: 1024,
    });
    if (clientSecret === undefined && !r.has(v('clientSecret'), true)) {
      r.fail(v('clientSecret'), `is required with ${method}`);
    }
    return { method, clientSecret: clientSecret ?? '' };
  }
  const pem = r.string(v('privateKey'), { secret: true });
  const keyId = r.string(v('privateKeyId'), {
    maxLength: 200,
    pattern: /^[\x21-\x7e]+$/,
    patternRule: 'must be printable ASCII without spaces',
  });
  if (pem === undefined) {
    r.fail(
      v('privateKey'),
      `is required with private_key_jwt (or ${v('privateKey')}_FILE naming a PEM file)`,
    );
    return { method, privateKeyPem: '', alg: 'RS256', keyId };
  }
  const key = parsePrivateKey(pem);
  if (!key.ok) {
    // Name the variable the value came from: the key itself or the _FILE naming it.
    const fromFile = !r.has(v('privateKey'));
    r.fail(fromFile ? `${v('privateKey')}_FILE` : v('privateKey'), key.rule);
    return { method, privateKeyPem: '', alg: 'RS256', keyId };
  }
  return { method, privateKeyPem: key.pem, alg: key.alg, keyId };
}

type KeyCheck =
  | { ok: true; pem: string; alg: OidcAssertionAlg }
  | { ok: false; rule: string };

/** A PEM private key (PKCS#8, or PKCS#1/SEC1) of a type openid-client can sign assertions with. */
export function parsePrivateKey(pem: string): KeyCheck {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    return {
      ok: false,
      rule: 'must be a PEM private key (-----BEGIN PRIVATE KEY----- ...), unencrypted',
    };
  }
  const alg = assertionAlg(key);
  if (alg === undefined) {
    return {
      ok: false,
      rule: 'must be an RSA (2048 bits or more), EC P-256/P-384 or Ed25519 private key',
    };
  }
  const exported = key.export({ type: 'pkcs8', format: 'pem' });
  return { ok: true, pem: exported.toString(), alg };
}

function assertionAlg(key: KeyObject): OidcAssertionAlg | undefined {
  const details = key.asymmetricKeyDetails;
  const type = key.asymmetricKeyType;
  if (type === 'rsa') {
    return (details?.modulusLength ?? 0) >= 2048 ? 'RS256' : undefined;
  }
  if (type === 'ec') {
    const curves: Record<string, OidcAssertionAlg> = {
      prime256v1: 'ES256',
      secp384r1: 'ES384',
    };
    return curves[details?.namedCurve ?? ''];
  }
  return type === 'ed25519' ? 'EdDSA' : undefined;
}
