import type { LdapRefusal } from './ldap-results.js';

/**
 * Refusals that depend on who the person is. Refusals of the input itself (empty password, a
 * name or password longer than any real one) say nothing about anybody and are not padded.
 */
const PADDED: ReadonlySet<LdapRefusal> = new Set<LdapRefusal>([
  'unknown-user',
  'ambiguous-user',
  'disabled',
  'wrong-password',
  'locked',
  'password-expired',
  'account-expired',
  'must-change-password',
  'logon-restricted',
  'not-in-group',
]);

export function isPaddedRefusal(refusal: LdapRefusal): boolean {
  return PADDED.has(refusal);
}
