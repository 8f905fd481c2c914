/**
 * The pre-session: what the login page's GET decided, kept in a signed cookie until the form comes
 * back. No database write per page view: the login page is the busiest page of the bridge.
 */
export interface LoginFlow {
  /** Random; the form's CSRF token is a MAC of it. */
  readonly nonce: string;
  /** Where to go after login: a path validated when the page was served. */
  readonly next: string;
  /** The page runs in a top-level window opened from a login frame whose cookies were blocked. */
  readonly popup: boolean;
  /** Milliseconds since the epoch. */
  readonly issuedAt: number;
}

export type LoginFlowRead =
  | { readonly state: 'missing' }
  | { readonly state: 'invalid' }
  | { readonly state: 'valid'; readonly flow: LoginFlow };
