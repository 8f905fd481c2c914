import { randomBytes } from 'node:crypto';
import type { EmulatorCore, WebClientGeneration } from '../core/context.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { GENERATIONS_SCRIPT } from './generations-script.js';
import { MOBILE_APP_SCRIPT } from './mobile-app-script.js';
import { WIRING_SCRIPT } from './wiring-script.js';

const GENERATION_NAMES: WebClientGeneration[] = ['meteor', 'react', 'modern'];

/** JSON safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface RenderedPage {
  html: string;
  headers: Record<string, string>;
}

/**
 * The emulated web client at `/`. Query: `generation=meteor|react|modern` (default from the
 * emulator options), `mobile=1` (React Native app's injected script, and the app watching it:
 * `appPlatform=android|ios`, `appVersion=4.65.0`, `appDelayMs=3000`), `pollMs=...`.
 * CSP: scripts only from this origin or with the nonce; connect/frame anywhere (as Rocket.Chat).
 */
export function renderPage(
  core: EmulatorCore,
  query: Record<string, unknown>,
): RenderedPage {
  const nonce = randomBytes(16).toString('base64');
  const requested =
    typeof query.generation === 'string' ? query.generation : '';
  const generation = GENERATION_NAMES.includes(requested as WebClientGeneration)
    ? (requested as WebClientGeneration)
    : core.web.generation;
  const mobile = query.mobile === '1' || query.mobile === 'true';
  // The app around the WebView in mobile mode (mobile-app.ts): platform, version, login debounce.
  const app = {
    platform: query.appPlatform === 'ios' ? 'ios' : 'android',
    version:
      typeof query.appVersion === 'string' &&
      /^\d+\.\d+\.\d+$/.test(query.appVersion)
        ? query.appVersion
        : '4.65.0',
    delayMs: Math.max(Number(query.appDelayMs ?? 3000) || 0, 0),
  };
  const pollMs = Math.max(
    Number(query.pollMs ?? core.web.pollMs) || core.web.pollMs,
    100,
  );
  const { state } = core;
  const config = {
    generation,
    mobile,
    app,
    pollMs,
    version: state.version.full,
    settings: Object.fromEntries(
      [
        'Accounts_iframe_enabled',
        'Accounts_iframe_url',
        'Accounts_Iframe_api_url',
        'Accounts_Iframe_api_method',
        'Iframe_Integration_send_enable',
        'Iframe_Integration_send_target_origin',
        'Site_Name',
      ].map((id) => [id, state.setting(id)]),
    ),
  };
  const script = CLIENT_SCRIPT.replace('//__GENERATIONS__', GENERATIONS_SCRIPT)
    .replace('//__MOBILE_APP__', MOBILE_APP_SCRIPT)
    .replace('//__WIRING__', WIRING_SCRIPT);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${state.text('Site_Name').replace(/[<&>]/g, '')}</title>
<style nonce="${nonce}">
html, body { height: 100%; margin: 0; font-family: sans-serif; }
main { height: 100%; }
#iframe-area { height: 100%; }
section { padding: 0; }
#login-form, #home, #loading { padding: 1rem; }
</style>
</head>
<body data-state="loading" data-generation="${generation}" data-mobile="${mobile}">
<main id="app">
  <section id="loading">Loading...</section>
  <section id="login-form" hidden>
    <h1>Login</h1>
    <form id="password-form">
      <label>Username <input name="username" autocomplete="username"></label>
      <label>Password <input name="password" type="password" autocomplete="current-password"></label>
      <button type="submit">Login</button>
    </form>
    <p id="form-error" role="alert"></p>
  </section>
  <section id="iframe-area" hidden></section>
  <section id="home" hidden>
    <p>Logged in as <span id="user-name"></span> (@<span id="user-username"></span>)</p>
    <button id="logout" type="button">Logout</button>
  </section>
</main>
<script type="application/json" id="rc-config">${scriptJson(config)}</script>
<script src="/scripts.js"></script>
<script nonce="${nonce}">${script}</script>
</body>
</html>`;
  return {
    html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': [
        "default-src 'none'",
        `script-src 'self' 'nonce-${nonce}'`,
        `style-src 'nonce-${nonce}'`,
        'connect-src *',
        'frame-src *',
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
      ].join('; '),
      'x-content-type-options': 'nosniff',
    },
  };
}

/** `/scripts.js`: the custom script settings wrapped in window event listeners, as Rocket.Chat serves them. */
export function renderCustomScripts(core: EmulatorCore): string {
  const wrap = (id: string) =>
    `// ${id}\nwindow.addEventListener('${id}', function() {\n${core.state.text(id)}\n});\n`;
  return [
    'Custom_Script_Logged_Out',
    'Custom_Script_Logged_In',
    'Custom_Script_On_Logout',
  ]
    .map(wrap)
    .join('\n');
}
