export type {
  AuthenticatedPerson,
  IdentitySourceKind,
} from './authenticated-person.js';
export { sourceOf } from './source-name.js';
// The directory (LDAP, Active Directory): inert while LDAP_URL is unset.
export {
  LDAP_SOURCE,
  LdapAuthenticator,
  LdapConfigurationError,
  LdapModule,
  LdapProbe,
  LdapUnavailableError,
  type LdapLoginResult,
  type LdapLookupResult,
  type LdapProbeCheck,
  type LdapProbeReport,
  type LdapRefusal,
} from './ldap/index.js';
