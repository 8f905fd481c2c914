import {
  loadConfigSubset,
  type Env,
  type LdapSettings,
} from '../../../src/config/index.js';
import { LdapAuthenticator } from '../../../src/identity/ldap/ldap-authenticator.service.js';
import { LdapPool } from '../../../src/identity/ldap/ldap-pool.service.js';
import { LdapProbe } from '../../../src/identity/ldap/ldap-probe.service.js';
import {
  GROUPS_DN,
  PEOPLE_DN,
  SERVICE_DN,
  SERVICE_PASSWORD,
  type TestDirectory,
} from '../../support/slapd.js';

export interface LdapUnderTest {
  readonly settings: LdapSettings;
  readonly pool: LdapPool;
  readonly auth: LdapAuthenticator;
  readonly probe: LdapProbe;
  close(): Promise<void>;
}

/** The variables an operator would set for the test directory (StartTLS with its CA). */
export function directoryEnv(d: TestDirectory, extra: Env = {}): Env {
  return {
    LDAP_URL: d.ldapUrl,
    LDAP_CA_FILE: d.pki.caFile,
    LDAP_BIND_DN: SERVICE_DN,
    LDAP_BIND_PASSWORD: SERVICE_PASSWORD,
    LDAP_SEARCH_BASE: PEOPLE_DN,
    LDAP_GROUP_SEARCH_BASE: GROUPS_DN,
    LDAP_CONNECT_TIMEOUT: '2s',
    LDAP_TIMEOUT: '2s',
    ...extra,
  };
}

/** The LDAP services as the module wires them, from environment variables through the config. */
export function ldapFromEnv(env: Env): LdapUnderTest {
  const config = loadConfigSubset(env, ['ldap']).ldap!;
  if (!config.enabled) {
    throw new Error('LDAP_URL missing');
  }
  const pool = new LdapPool(config);
  return {
    settings: config,
    pool,
    auth: new LdapAuthenticator(pool),
    probe: new LdapProbe(pool),
    close: () => pool.onModuleDestroy(),
  };
}
