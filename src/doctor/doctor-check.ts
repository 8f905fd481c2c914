/** How one doctor line ends: fine, worth a look, broken, or not checked (and why). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of `rc-bridge doctor`: what was checked, the outcome in plain words, and the fix. */
export interface CheckResult {
  /** Stable key (`rocketchat.permissions`), also the anchor in docs/troubleshooting.md. */
  readonly id: string;
  /** Short name shown at the start of the line. */
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found. Never a secret, a token or a MongoDB URI. */
  readonly message: string;
  /** What to do about it, for `warn` and `fail`. */
  readonly fix?: string;
}

export const ok = (
  id: string,
  title: string,
  message: string,
): CheckResult => ({
  id,
  title,
  status: 'ok',
  message,
});

export const warn = (
  id: string,
  title: string,
  message: string,
  fix: string,
): CheckResult => ({ id, title, status: 'warn', message, fix });

export const fail = (
  id: string,
  title: string,
  message: string,
  fix: string,
): CheckResult => ({ id, title, status: 'fail', message, fix });

export const skip = (
  id: string,
  title: string,
  message: string,
): CheckResult => ({
  id,
  title,
  status: 'skip',
  message,
});
