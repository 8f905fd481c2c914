/**
 * The longest password accepted, in UTF-8 bytes. Longer input is refused before any hashing (a
 * megabyte password must not cost a megabyte of hashing), at login as well as when one is set.
 */
export const MAX_PASSWORD_BYTES = 256;

/**
 * Why `password` may not be set as a new password, or undefined when it may. Passwords are taken
 * exactly as typed: no trimming, no Unicode normalisation (Django does neither, and imported hashes
 * must keep verifying). Length is counted in characters (code points), the upper bound in bytes.
 */
export function passwordPolicyProblem(
  password: string,
  minLength: number,
): string | undefined {
  if (Array.from(password).length < minLength) {
    return `must be at least ${minLength} characters long`;
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    return `must be at most ${MAX_PASSWORD_BYTES} bytes long (UTF-8)`;
  }
  return undefined;
}

/** Whether a password presented at login is short enough to be worth hashing at all. */
export function withinPasswordLimit(password: string): boolean {
  // Length first, so a huge string is never scanned: every UTF-16 unit takes at least one byte.
  return (
    password.length <= MAX_PASSWORD_BYTES &&
    Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES
  );
}
