import type { AppConfig } from '../../config/index.js';
import { fail, ok, warn, type CheckResult } from '../doctor-check.js';

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

/**
 * What Rocket.Chat should be told: this bridge's login page and API URL, and a method that is
 * one of the keys of the select `Accounts_Iframe_api_method` is now (POST, GET: Rocket.Chat's
 * `apps/meteor/server/settings/accounts.ts` @78e0dc31); a GET already chosen is kept.
 */
export function expectedIframeSettings(
  app: AppConfig,
  current?: Readonly<Record<string, unknown>>,
): Record<SettingId, boolean | string> {
  return {
    Accounts_iframe_enabled: true,
    Accounts_iframe_url: `${app.publicUrl}/login/?next=/rocketchat/redirect`,
    Accounts_Iframe_api_url: `${app.publicUrl}/rocketchat/api`,
    Accounts_Iframe_api_method:
      methodKey(current?.Accounts_Iframe_api_method) ?? 'POST',
  };
}

/** `POST` or `GET` for any spelling of them (the web client's fetch accepts each). */
function methodKey(value: unknown): 'POST' | 'GET' | undefined {
  const upper = typeof value === 'string' ? value.trim().toUpperCase() : '';
  return upper === 'POST' || upper === 'GET' ? upper : undefined;
}

/**
 * Compares the settings with this bridge's URLs, allowing the forms that work just as well (with
 * or without the trailing slash, any `next` on the bridge, GET instead of POST). A method spelt
 * other than the select's keys (`post`, ` GET`) works but shows as unset in Rocket.Chat's admin
 * UI: a warning. With `fix`, sets the ones that differ through `write` (Rocket.Chat's
 * `POST /api/v1/settings/<id>`; REST does not check select values, so only valid keys are sent).
 */
export async function iframeSettingsCheck(
  app: AppConfig,
  settings: Readonly<Record<string, unknown>> | undefined,
  fix: boolean,
  write: (id: SettingId, value: boolean | string) => Promise<void>,
): Promise<CheckResult> {
  if (!settings) {
    return fail(
      ID,
      TITLE,
      "could not read Rocket.Chat's public settings (GET /api/v1/settings.public)",
      'see the Rocket.Chat line',
    );
  }
  const expected = expectedIframeSettings(app, settings);
  const wrong = IFRAME_SETTING_IDS.filter(
    (id) => !acceptable(id, settings[id], app),
  );
  const method = settings.Accounts_Iframe_api_method;
  const untidy =
    methodKey(method) !== undefined && method !== methodKey(method);
  if (wrong.length === 0 && !untidy) {
    return ok(
      ID,
      TITLE,
      `iframe login enabled; Iframe URL ${show(settings.Accounts_iframe_url)}, API URL ${show(settings.Accounts_Iframe_api_url)} (${show(method)})`,
    );
  }
  if (wrong.length === 0 && !fix) {
    return warn(
      ID,
      TITLE,
      `Accounts_Iframe_api_method is ${show(method)}: it works, but it is a select of POST and GET, and Rocket.Chat's admin UI shows it as unset`,
      `run rc-bridge doctor --fix to set it to ${show(expected.Accounts_Iframe_api_method)}, or choose it in Administration > Settings > Accounts > Iframe`,
    );
  }
  if (untidy) {
    wrong.push('Accounts_Iframe_api_method');
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
  return methodKey(value) !== undefined;
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
