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
