import type { AppConfig } from '../../config/index.js';
import { fail, ok, type CheckResult } from '../doctor-check.js';

const ID = 'rocketchat.iframe-settings';
const TITLE = 'Iframe settings';

/** Rocket.Chat's Accounts > Iframe settings (all public: readable without a token). */
export const IFRAME_SETTING_IDS = [
  'Accounts_iframe_enabled',
  'Accounts_iframe_url',
  'Accounts_Iframe_api_url',
  'Accounts_Iframe_api_method',
] as const;
type SettingId = (typeof IFRAME_SETTING_IDS)[number];

/** What Rocket.Chat should be told: this bridge's login page and API URL. */
export function expectedIframeSettings(
  app: AppConfig,
): Record<SettingId, boolean | string> {
  return {
    Accounts_iframe_enabled: true,
    Accounts_iframe_url: `${app.publicUrl}/login/?next=/rocketchat/redirect`,
    Accounts_Iframe_api_url: `${app.publicUrl}/rocketchat/api`,
    Accounts_Iframe_api_method: 'POST',
  };
}

/**
 * Compares the settings with this bridge's URLs, allowing the forms that work just as well (with
 * or without the trailing slash, any `next` on the bridge, GET instead of POST). With `fix`, sets
 * the ones that differ through `write` (Rocket.Chat's `POST /api/v1/settings/<id>`).
 */
export async function iframeSettingsCheck(
  app: AppConfig,
  settings: Readonly<Record<string, unknown>> | undefined,
  fix: boolean,
  write: (id: SettingId, value: boolean | string) => Promise<void>,
): Promise<CheckResult> {
  const expected = expectedIframeSettings(app);
  if (!settings) {
    return fail(
      ID,
      TITLE,
      "could not read Rocket.Chat's public settings (GET /api/v1/settings.public)",
      'see the Rocket.Chat line',
    );
  }
  const wrong = IFRAME_SETTING_IDS.filter(
    (id) => !acceptable(id, settings[id], app),
  );
  if (wrong.length === 0) {
    return ok(
      ID,
      TITLE,
      `iframe login enabled; Iframe URL ${show(settings.Accounts_iframe_url)}, API URL ${show(settings.Accounts_Iframe_api_url)} (${show(settings.Accounts_Iframe_api_method)})`,
    );
  }
  const differences = wrong
    .map(
      (id) => `${id} is ${show(settings[id])}, expected ${show(expected[id])}`,
    )
    .join('; ');
  if (!fix) {
    return fail(
      ID,
      TITLE,
      differences,
      "run rc-bridge doctor --fix to set them through Rocket.Chat's REST API, or set them in Administration > Settings > Accounts > Iframe; " +
        'if Rocket.Chat is started with OVERWRITE_SETTING_* variables, change those instead: ' +
        wrong
          .map((id) => `OVERWRITE_SETTING_${id}=${String(expected[id])}`)
          .join(' '),
    );
  }
  try {
    for (const id of wrong) {
      await write(id, expected[id]);
    }
  } catch (error) {
    return fail(
      ID,
      TITLE,
      `${differences}; --fix could not change them (${error instanceof Error ? error.message : 'error'})`,
      "give the bridge's account edit-privileged-setting (and a token that bypasses two-factor authentication), or set them by hand",
    );
  }
  return ok(
    ID,
    TITLE,
    `fixed: ${wrong.map((id) => `${id} = ${show(expected[id])}`).join('; ')} (was: ${wrong.map((id) => show(settings[id])).join('; ')})`,
  );
}

function acceptable(id: SettingId, value: unknown, app: AppConfig): boolean {
  if (id === 'Accounts_iframe_enabled') {
    return value === true;
  }
  if (id === 'Accounts_iframe_url') {
    return pointsAt(value, app, ['/login', '/login/'], true);
  }
  if (id === 'Accounts_Iframe_api_url') {
    return pointsAt(value, app, ['/rocketchat/api', '/rocketchat/api/'], false);
  }
  return (
    typeof value === 'string' &&
    ['POST', 'GET'].includes(value.trim().toUpperCase())
  );
}

/** The URL is on PUBLIC_URL, at one of `paths`, with (for the login page) a `next` on the bridge. */
function pointsAt(
  value: unknown,
  app: AppConfig,
  paths: readonly string[],
  allowNext: boolean,
): boolean {
  if (typeof value !== 'string') {
    return false;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const base = new URL(app.publicUrl);
  const prefix = base.pathname.replace(/\/$/, '');
  if (url.origin !== base.origin || !url.pathname.startsWith(prefix)) {
    return false;
  }
  if (!paths.includes(url.pathname.slice(prefix.length))) {
    return false;
  }
  const next = url.searchParams.get('next');
  return allowNext
    ? next === null || (next.startsWith('/') && !next.startsWith('//'))
    : url.search === '';
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'unset';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
