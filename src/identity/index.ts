export type {
  AuthenticatedPerson,
  IdentitySourceKind,
} from './authenticated-person.js';
export { sourceOf } from './source-name.js';
// OpenID Connect: the relying party, logout URLs and tokens, the doctor's probes (OidcModule).
export * from './oidc/index.js';
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
