import { createHash } from 'node:crypto';

export interface AvatarSubject {
  readonly bridgeUserId: string;
  readonly username: string;
  readonly rcUsername: string;
  readonly email: string | undefined;
}

/**
 * ROCKETCHAT_AVATAR_URL with its placeholders filled in, each URL-encoded: `{username}`,
 * `{rc_username}`, `{user_id}`, `{email}`, `{email_md5}` and `{email_sha256}` (hex of the
 * trimmed, lower-cased address, as Gravatar and Libravatar expect). Undefined when the template
 * needs an e-mail address the user does not have.
 */
export function renderAvatarUrl(
  template: string,
  subject: AvatarSubject,
): string | undefined {
  const email = subject.email?.trim().toLowerCase();
  const values: Record<string, string | undefined> = {
    username: subject.username,
    rc_username: subject.rcUsername,
    user_id: subject.bridgeUserId,
    email,
    email_md5: email && createHash('md5').update(email).digest('hex'),
    email_sha256: email && createHash('sha256').update(email).digest('hex'),
  };
  let missing = false;
  const url = template.replace(/\{([a-z0-9_]+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing = true;
      return '';
    }
    return encodeURIComponent(value);
  });
  return missing ? undefined : url;
}
