import {
  DEFAULT_PROVIDER_ID,
  type OidcProviderConfig,
} from '../../config/index.js';
import { DEFAULT_NEXT } from '../login/next-target.js';

/**
 * One button of the login page: an `<a>` whose path begins with /login/oidc. How it opens depends
 * on where the page is:
 * - `same`: top level, or in the login window opened from the chat's frame: a plain link.
 * - `popup`: in the chat's frame: providers refuse to be framed, so the sign-in runs in a login
 *   window (`popup=1`), whose post-login page hands the token to the chat through its opener (the
 *   cookie-blocked machinery). When the browser blocks that window, the page offers `continueHref`
 *   in the whole tab instead.
 * - `top`: in the desktop app's frame (`client=electron`), whose windows open in the system
 *   browser, away from the app: the whole tab goes, and comes back through Rocket.Chat.
 */
export interface ProviderButton {
  readonly id: string;
  readonly name: string;
  readonly href: string;
  readonly mode: 'same' | 'popup' | 'top';
  /** For `popup`: the same sign-in in the whole tab. */
  readonly continueHref?: string;
}

export interface ButtonPlace {
  /** The flow's `next` (validated; may carry client=electron). */
  readonly next: string;
  /** The page is in the login window opened from the chat's frame. */
  readonly popup: boolean;
  /** The page is in a frame (Sec-Fetch-Dest: iframe). */
  readonly framed: boolean;
  readonly origin: string;
}

export function providerButtons(
  providers: readonly OidcProviderConfig[],
  place: ButtonPlace,
): ProviderButton[] {
  const electron = isElectron(place.next, place.origin);
  return providers.map((provider) => {
    const base = startPath(provider.id);
    if (!place.framed || place.popup) {
      return {
        id: provider.id,
        name: provider.name,
        href: withQuery(base, place.next, place.popup),
        mode: 'same',
      };
    }
    // Back in the tab, the post-login page sends it to Rocket.Chat (which then asks the API URL):
    // not the desktop app's "return to the app" page, since this tab is the app's.
    const topHref = withQuery(
      base,
      withoutElectron(place.next, place.origin),
      false,
    );
    if (electron) {
      return {
        id: provider.id,
        name: provider.name,
        href: topHref,
        mode: 'top',
      };
    }
    return {
      id: provider.id,
      name: provider.name,
      href: withQuery(base, place.next, true),
      mode: 'popup',
      continueHref: topHref,
    };
  });
}

export function startPath(providerId: string): string {
  return providerId === DEFAULT_PROVIDER_ID
    ? '/login/oidc'
    : `/login/oidc/${providerId}`;
}

function withQuery(path: string, next: string, popup: boolean): string {
  const params = new URLSearchParams();
  if (next !== DEFAULT_NEXT) {
    params.set('next', next);
  }
  if (popup) {
    params.set('popup', '1');
  }
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

function isElectron(next: string, origin: string): boolean {
  return new URL(next, origin).searchParams.get('client') === 'electron';
}

function withoutElectron(next: string, origin: string): string {
  const url = new URL(next, origin);
  url.searchParams.delete('client');
  return `${url.pathname}${url.search}${url.hash}`;
}
