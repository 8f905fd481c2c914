import { Injectable } from '@nestjs/common';
import { InjectConfig, type LdapConfig } from '../../config/index.js';
import { LdapProbe } from '../../identity/index.js';
import { withDeadline } from '../deadline.js';
import { fail, ok, skip, type CheckResult } from '../doctor-check.js';

/**
 * The directory's lines (LDAP_URL set): each server's reachability and TLS details, the service
 * bind, the search base and root DSE, then LDAP_USER_FILTER for a sample name (`--ldap-user`)
 * with the groups and LDAP_REQUIRED_GROUP that would apply, and the sign-in policy in force.
 * Nothing at all without LDAP_URL. Reads only.
 */
@Injectable()
export class LdapChecks {
  constructor(
    @InjectConfig('ldap') private readonly config: LdapConfig,
    private readonly probe: LdapProbe,
  ) {}

  async run(sampleUsername: string | undefined): Promise<CheckResult[]> {
    if (!this.config.enabled) {
      return sampleUsername === undefined
        ? []
        : [skip('ldap', 'LDAP', 'not configured (LDAP_URL is unset)')];
    }
    const { servers, connectTimeoutMs, timeoutMs, policy } = this.config;
    // Each server may take its connect and operation timeouts, and the sample a few searches.
    const budget = (servers.length + 1) * (connectTimeoutMs + 4 * timeoutMs);
    let checks: CheckResult[];
    try {
      const report = await withDeadline(
        this.probe.probe(sampleUsername),
        budget,
        'the directory checks took too long',
      );
      checks = report.checks.map((c) => ({ ...c }));
    } catch (error) {
      checks = [
        fail(
          'ldap.server',
          'LDAP',
          error instanceof Error ? error.message : 'failed',
          'Check LDAP_URL, LDAP_CONNECT_TIMEOUT and LDAP_TIMEOUT.',
        ),
      ];
    }
    checks.push(
      ok(
        'ldap.policy',
        'LDAP sign-in policy',
        `login form asks ${policy.passwordSources.join(', then ')}; ` +
          `a directory person ${policy.linkByUsername ? 'may' : 'may not'} take over the local user of the same name; ` +
          `signed-in people are checked again every ${Math.round(this.config.recheckIntervalMs / 60_000)} min; ` +
          `people who leave are logged out${policy.deprovision === 'deactivate' ? ' and their Rocket.Chat accounts deactivated' : ' (Rocket.Chat accounts kept)'}`,
      ),
    );
    return checks;
  }
}
