import type { AuthenticatedPerson } from './authenticated-person.js';

/**
 * The source as stored with a bridge user: 'local', 'ldap', 'header', or 'oidc:<provider id>'
 * (two OpenID providers are two sources: the same `sub` at each is a different person).
 */
export function sourceOf(person: Pick<AuthenticatedPerson, 'source'>): string {
  return person.source.kind === 'oidc'
    ? `oidc:${person.source.id}`
    : person.source.kind;
}
