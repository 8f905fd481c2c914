import { Module } from '@nestjs/common';
import { LdapAuthenticator } from './ldap-authenticator.service.js';
import { LdapPool } from './ldap-pool.service.js';
import { LdapProbe } from './ldap-probe.service.js';

/** Sign-in against LDAP / Active Directory (LDAP_URL); its services refuse to run when unset. */
@Module({
  providers: [LdapPool, LdapAuthenticator, LdapProbe],
  exports: [LdapAuthenticator, LdapProbe],
})
export class LdapModule {}
