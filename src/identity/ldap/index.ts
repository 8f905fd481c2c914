export { LdapModule } from './ldap.module.js';
export { LdapAuthenticator } from './ldap-authenticator.service.js';
export {
  LdapProbe,
  type LdapProbeReport,
  type LdapServerProbe,
  type LdapSampleProbe,
  type RootDse,
} from './ldap-probe.service.js';
export type { LdapProbeCheck } from './ldap-probe-check.js';
export type { TlsSummary } from './ldap-connection.js';
export { LdapConfigurationError, LdapUnavailableError } from './ldap-errors.js';
export type {
  LdapLoginResult,
  LdapLookupQuery,
  LdapLookupResult,
  LdapRefusal,
} from './ldap-results.js';
export { LDAP_SOURCE } from './ldap-people.js';
