import type { LdapSettings } from '../../config/index.js';
import type { LdapServerProbe } from './ldap-probe.service.js';

const EXPIRY_WARNING_DAYS = 30;

/**
 * One line of the doctor's LDAP report, the same shape as the doctor's own CheckResult
 * (src/doctor/doctor-check.ts) so it can print these as they are, without this folder importing
 * the doctor.
 */
export interface LdapProbeCheck {
  readonly id: string;
  readonly title: string;
  readonly status: 'ok' | 'warn' | 'fail' | 'skip';
  /** What was found. Never a password. */
  readonly message: string;
  /** What to do about it, for `warn` and `fail`. */
  readonly fix?: string;
}

export const probeCheck = {
  ok: (id: string, title: string, message: string): LdapProbeCheck => ({
    id,
    title,
    status: 'ok',
    message,
  }),
  warn: (
    id: string,
    title: string,
    message: string,
    fix: string,
  ): LdapProbeCheck => ({ id, title, status: 'warn', message, fix }),
  fail: (
    id: string,
    title: string,
    message: string,
    fix: string,
  ): LdapProbeCheck => ({ id, title, status: 'fail', message, fix }),
  skip: (id: string, title: string, message: string): LdapProbeCheck => ({
    id,
    title,
    status: 'skip',
    message,
  }),
};

/** The doctor lines for one server: reachability and TLS, service bind, search base, root DSE. */
export function serverChecks(
  s: LdapServerProbe,
  settings: LdapSettings,
): LdapProbeCheck[] {
  const title = `LDAP server ${s.url}`;
  if (!s.reachable) {
    return [
      probeCheck.fail(
        'ldap.server',
        title,
        `unreachable: ${s.error ?? 'unknown error'}`,
        'Check LDAP_URL, the firewall, and (for TLS failures) LDAP_CA_FILE and the host name in the certificate.',
      ),
    ];
  }
  const checks: LdapProbeCheck[] = [];
  if (s.tls === undefined) {
    checks.push(
      probeCheck.warn(
        'ldap.server',
        title,
        'reachable, but unencrypted: passwords cross this connection in clear text',
        'Use ldaps:// or StartTLS (LDAP_STARTTLS=true).',
      ),
    );
  } else {
    const days = Math.floor(
      (Date.parse(s.tls.validTo) - Date.now()) / 86_400_000,
    );
    const text = `${s.tls.protocol} (${s.tls.cipher}); certificate ${s.tls.subject}, issued by ${s.tls.issuer}, valid until ${s.tls.validTo.slice(0, 10)} (${days} days)`;
    checks.push(
      days < EXPIRY_WARNING_DAYS
        ? probeCheck.warn(
            'ldap.server',
            title,
            text,
            'Renew the directory server certificate soon.',
          )
        : probeCheck.ok('ldap.server', title, text),
    );
  }
  if (s.bind === 'refused') {
    checks.push(
      probeCheck.fail(
        'ldap.bind',
        `${title}: service bind`,
        `refused: ${s.error ?? ''}`,
        'Check LDAP_BIND_DN and LDAP_BIND_PASSWORD (and that the account is not disabled or locked).',
      ),
    );
  } else {
    checks.push(
      probeCheck.ok(
        'ldap.bind',
        `${title}: service bind`,
        s.bind === 'anonymous'
          ? 'anonymous (LDAP_BIND_DN unset)'
          : `bound as ${settings.bind?.dn ?? ''}`,
      ),
    );
  }
  if (s.searchBaseExists === false) {
    checks.push(
      probeCheck.fail(
        'ldap.search-base',
        `${title}: search base`,
        `${settings.searchBase} does not exist (or the service account cannot see it)`,
        'Check LDAP_SEARCH_BASE against the naming contexts of the server.',
      ),
    );
  }
  checks.push(
    s.rootDse === undefined
      ? probeCheck.warn(
          'ldap.root-dse',
          `${title}: root DSE`,
          'not readable',
          'Nothing to do unless other checks fail.',
        )
      : probeCheck.ok(
          'ldap.root-dse',
          `${title}: root DSE`,
          `${s.rootDse.vendor ?? 'vendor not stated'}; naming contexts ${s.rootDse.namingContexts.join(' | ') || 'none'}; ` +
            `${s.rootDse.supportedControls.length} controls, ${s.rootDse.supportedExtensions.length} extensions` +
            (s.rootDse.supportsStartTls ? ', StartTLS' : ''),
        ),
  );
  return checks;
}
