import { describe, expect, it } from 'vitest';
import { renderAvatarUrl } from './avatar-url.js';

const SUBJECT = {
  bridgeUserId: '65f0c0ffee',
  username: 'alice+x@example.org',
  rcUsername: 'alice-x_at_example.org',
  email: ' Alice@Example.org ',
};

describe('renderAvatarUrl', () => {
  it('should fill in Gravatar-style hashes of the normalised address', () => {
    expect(
      renderAvatarUrl(
        'https://www.gravatar.com/avatar/{email_md5}?d=identicon',
        SUBJECT,
      ),
    ).toBe(
      // md5('alice@example.org')
      'https://www.gravatar.com/avatar/fbf7c6aec1d4280b7c2704c1c0478bd6?d=identicon',
    );
  });

  it('should URL-encode every value', () => {
    expect(
      renderAvatarUrl(
        'https://intranet.example.org/photos/{username}.png?id={user_id}',
        SUBJECT,
      ),
    ).toBe(
      'https://intranet.example.org/photos/alice%2Bx%40example.org.png?id=65f0c0ffee',
    );
  });

  it('should give nothing when the template needs an address the user lacks', () => {
    expect(
      renderAvatarUrl('https://a.example/{email_sha256}', {
        ...SUBJECT,
        email: undefined,
      }),
    ).toBeUndefined();
  });
});
