import { describe, expect, it } from 'vitest';
import type { OidcProviderConfig } from '../../config/index.js';
import { providerButtons } from './provider-buttons.js';

const ORIGIN = 'https://sso.example.org';
const PROVIDERS = [
  { id: 'default', name: 'Staff ID' },
  { id: 'google', name: 'Google' },
] as OidcProviderConfig[];

describe('providerButtons', () => {
  it('should link top level to /login/oidc[/<id>], carrying a non-default next', () => {
    expect(
      providerButtons(PROVIDERS, {
        next: '/rocketchat/redirect',
        popup: false,
        framed: false,
        origin: ORIGIN,
      }),
    ).toEqual([
      { id: 'default', name: 'Staff ID', href: '/login/oidc', mode: 'same' },
      {
        id: 'google',
        name: 'Google',
        href: '/login/oidc/google',
        mode: 'same',
      },
    ]);
    expect(
      providerButtons(PROVIDERS, {
        next: '/?a=1',
        popup: false,
        framed: false,
        origin: ORIGIN,
      })[1].href,
    ).toBe('/login/oidc/google?next=%2F%3Fa%3D1');
  });

  it('should open a login window from the frame, with the whole tab as the way on', () => {
    expect(
      providerButtons(PROVIDERS, {
        next: '/rocketchat/redirect',
        popup: false,
        framed: true,
        origin: ORIGIN,
      })[0],
    ).toEqual({
      id: 'default',
      name: 'Staff ID',
      href: '/login/oidc?popup=1',
      mode: 'popup',
      continueHref: '/login/oidc',
    });
  });

  it('should go on in the same window inside the login window itself', () => {
    expect(
      providerButtons(PROVIDERS, {
        next: '/rocketchat/redirect',
        popup: true,
        framed: false,
        origin: ORIGIN,
      })[0],
    ).toMatchObject({ href: '/login/oidc?popup=1', mode: 'same' });
  });

  it("should take the desktop app's whole tab, back through Rocket.Chat rather than its return page", () => {
    expect(
      providerButtons(PROVIDERS, {
        next: '/rocketchat/redirect?client=electron',
        popup: false,
        framed: true,
        origin: ORIGIN,
      })[1],
    ).toEqual({
      id: 'google',
      name: 'Google',
      href: '/login/oidc/google',
      mode: 'top',
    });
  });
});
