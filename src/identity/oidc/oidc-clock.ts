import { Injectable } from '@nestjs/common';

/**
 * The time OpenID sign-ins are judged by (pending-login expiry, ID token and logout token times).
 * OidcModule binds it to the application's Clock (`useExisting`), so a test that moves that clock
 * moves this one too.
 */
@Injectable()
export class OidcClock {
  now(): number {
    return Date.now();
  }
}

/**
 * How far the provider's clock and ours may disagree before a token is refused (seconds): a
 * minute, twice openid-client's default, because NTP-less VMs drift; beyond it `rc-bridge doctor`
 * says which clock is off.
 */
export const CLOCK_TOLERANCE_SECONDS = 60;
