import type {
  AppConfig,
  RocketChatConfig,
  SessionConfig,
} from '../../config/index.js';
import { fail, ok, warn, type CheckResult } from '../doctor-check.js';
import { siteOf } from '../site.js';

const ID = 'same-site';
const TITLE = 'Same site';

/**
 * Whether browsers treat the bridge as first-party inside Rocket.Chat's page (same scheme and
 * registrable domain), and whether the cookie settings fit the answer.
 */
export function sameSiteCheck(
  app: AppConfig,
  rocketchat: RocketChatConfig,
  session: SessionConfig,
): CheckResult {
  const bridge = siteOf(app.publicUrl);
  const chat = siteOf(rocketchat.url);
  const describe = (s: { scheme: string; site: string }) =>
    `${s.scheme}://${s.site}`;
  if (bridge.scheme === chat.scheme && bridge.site === chat.site) {
    if (session.cookieSameSite === 'none') {
      return warn(
        ID,
        TITLE,
        `bridge and Rocket.Chat are on one site (${describe(bridge)}), yet SESSION_COOKIE_SAMESITE=none`,
        'set SESSION_COOKIE_SAMESITE=lax (the default): on one site it works in every browser and other sites cannot send the cookie',
      );
    }
    return ok(
      ID,
      TITLE,
      `bridge and Rocket.Chat are on one site (${describe(bridge)}): the cookies are first-party in every browser`,
    );
  }
  const where = `the bridge is on ${describe(bridge)}, Rocket.Chat on ${describe(chat)}`;
  const move = `put the bridge on a host name under ${chat.site} with the same scheme (docs/deployment.md)`;
  if (session.cookieSameSite !== 'none') {
    return fail(
      ID,
      TITLE,
      `cross-site (${where}) with SESSION_COOKIE_SAMESITE=${session.cookieSameSite}: browsers never send the session cookie to the API URL, so nobody gets logged in`,
      `${move}; or, if that is impossible, set SESSION_COOKIE_SAMESITE=none`,
    );
  }
  if (!session.cookiePartitioned) {
    return fail(
      ID,
      TITLE,
      `cross-site (${where}) with SESSION_COOKIE_PARTITIONED=false: Chromium drops unpartitioned cookies in a cross-site iframe`,
      `${move}; or set SESSION_COOKIE_PARTITIONED=true`,
    );
  }
  return warn(
    ID,
    TITLE,
    `cross-site (${where}): browsers that block third-party cookies (Safari before 26.2, Firefox in strict mode, any browser so configured) will not keep the login in Rocket.Chat's iframe; their users get the "cookies blocked" page and log in in a separate window`,
    move,
  );
}
