/** Where a login goes when the page was given no usable `next`: the Rocket.Chat post-login page. */
export const DEFAULT_NEXT = '/rocketchat/redirect';

/** Longer values are refused outright (the login-flow cookie must stay well under 4 KB). */
const MAX_NEXT_LENGTH = 1024;

/**
 * A `next` value accepted as a same-origin path on the bridge, serialised from the parsed URL, or
 * undefined for anything else (the caller falls back to the default and never echoes the input).
 * Refused: anything not starting with exactly one `/`; backslashes, whitespace and control
 * characters (raw or percent-encoded); `//` or `/\` prefixes once percent-decoding is undone
 * (encoded slashes); values that parse to another origin or carry user info; a parsed path that
 * starts with `//` (a later relative use would make it protocol-relative).
 */
export function safeNext(raw: unknown, origin: string): string | undefined {
  if (typeof raw !== 'string' || raw.length > MAX_NEXT_LENGTH) {
    return undefined;
  }
  if (!raw.startsWith('/') || /^\/[/\\]/.test(raw) || /[\s\\]/.test(raw)) {
    return undefined;
  }
  if (hasControlCharacter(raw)) {
    return undefined;
  }
  let decoded = raw;
  for (let round = 0; round < 3; round += 1) {
    let once: string;
    try {
      once = decodeURIComponent(decoded);
    } catch {
      return undefined;
    }
    if (once === decoded) {
      break;
    }
    decoded = once;
    if (
      /^\/[/\\]/.test(decoded) ||
      decoded.includes('\\') ||
      hasControlCharacter(decoded)
    ) {
      return undefined;
    }
  }
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return undefined;
  }
  if (url.origin !== origin || url.username !== '' || url.password !== '') {
    return undefined;
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') ? undefined : path;
}

/** The post-login target of a top-level login window: `popup=1` travels on into `next`. */
export function withPopupFlag(next: string, origin: string): string {
  const url = new URL(next, origin);
  url.searchParams.set('popup', '1');
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * Rocket.Chat's desktop app adds `client=electron` to the Iframe URL; it travels on into `next`
 * so the post-login page knows (it must not send the app's window elsewhere).
 */
export function withElectronFlag(next: string, origin: string): string {
  const url = new URL(next, origin);
  url.searchParams.set('client', 'electron');
  return `${url.pathname}${url.search}${url.hash}`;
}

/** `/login?next=…` for links that restart the flow (the value is validated again when followed). */
export function loginUrl(next: string, popup = false): string {
  const params = new URLSearchParams();
  if (next !== DEFAULT_NEXT) {
    params.set('next', next);
  }
  if (popup) {
    params.set('popup', '1');
  }
  const query = params.toString();
  return query ? `/login?${query}` : '/login';
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
      return true;
    }
  }
  return false;
}
