import type { OidcProviderConfig } from '../../config/index.js';
import type { AuthenticatedPerson } from '../authenticated-person.js';
import { OidcClaimsError } from './oidc.errors.js';

export type Claims = Readonly<Record<string, unknown>>;

/** Longest value taken from a claim; longer text is a misconfigured claim, not a name. */
const MAX_TEXT = 256;
const MAX_GROUPS = 500;

/**
 * The person the claims describe, by the provider's configured claim names. `sub` is the stable
 * id (with the issuer in `source`); the user name is required, everything else optional. An
 * address counts as verified only when `email_verified` is literally `true` (some providers send
 * the string "true": not trusted, because linking by address depends on it).
 */
export function personFromClaims(
  provider: OidcProviderConfig,
  claims: Claims,
): AuthenticatedPerson {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '' || sub.length > 255) {
    throw new OidcClaimsError(
      `OpenID provider ${provider.id}: the sub claim is missing or invalid`,
      provider.id,
    );
  }
  const username = text(claims[provider.claims.username]);
  if (username === undefined) {
    throw new OidcClaimsError(
      `OpenID provider ${provider.id}: no usable ${provider.claims.username} claim (the user name; see OIDC_USERNAME_CLAIM)`,
      provider.id,
    );
  }
  const email = text(claims[provider.claims.email]);
  return {
    source: { kind: 'oidc', id: provider.id },
    externalId: sub,
    username,
    ...(email !== undefined ? { email } : {}),
    emailVerified: email !== undefined && claims.email_verified === true,
    ...optional('displayName', text(claims[provider.claims.name])),
    groups: groups(claims[provider.claims.groups]),
  };
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const trimmed = value.trim();
  return trimmed === '' || trimmed.length > MAX_TEXT ? undefined : trimmed;
}

/** An array of strings; anything else (a string, objects, a number) counts as no groups. */
function groups(value: unknown): string[] {
  if (!isStringArray(value)) {
    return [];
  }
  return [...new Set(value.filter((g) => g !== ''))].slice(0, MAX_GROUPS);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((g) => typeof g === 'string');
}

function optional<K extends string>(
  key: K,
  value: string | undefined,
): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
