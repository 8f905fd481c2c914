import type { SessionEndReason } from '../session/index.js';

/**
 * Everything the audit trail records, one kind per line. No kind has a field for a password, a
 * token or a cookie: what is not in the type cannot be recorded.
 */
export type AuditEvent =
  | {
      readonly kind: 'login.succeeded';
      readonly userId: string;
      readonly username: string;
    }
  | {
      readonly kind: 'login.failed';
      readonly username: string;
      /** Internal only: the page says "wrong credentials" for both. */
      readonly reason: 'invalid-credentials' | 'account-locked';
    }
  /** The client address is over its failure budget (answered 429). */
  | {
      readonly kind: 'login.throttled';
      readonly username: string;
      readonly retryAfterSeconds: number;
    }
  /** Every password-check slot was taken (answered 503). */
  | { readonly kind: 'login.busy'; readonly username: string }
  | {
      readonly kind: 'account.locked';
      readonly username: string;
      readonly until: Date;
      /** 1 for the first lock, 2 for the next within a day... (the duration doubles). */
      readonly level: number;
    }
  | {
      readonly kind: 'lock.cleared';
      readonly target: string;
      readonly targetKind: 'account' | 'address';
    }
  /** A person logged out: at the bridge (its logout button) or at Rocket.Chat (reverse logout). */
  | {
      readonly kind: 'logout';
      readonly userId?: string;
      readonly direction: 'bridge' | 'rocketchat';
    }
  /** Any end of a session, logouts included (announced by the session module). */
  | {
      readonly kind: 'session.ended';
      readonly userId: string;
      /** The session record's id (never its token). */
      readonly session: string;
      readonly reason: SessionEndReason;
    }
  | {
      readonly kind: 'token.minted' | 'token.reused' | 'token.revoked';
      readonly userId: string;
      readonly rocketChatUserId?: string;
      /** Which strategy, or why a token was revoked (logout, expired...). Never the token. */
      readonly detail?: string;
    }
  | {
      readonly kind:
        | 'rocketchat.user.created'
        | 'rocketchat.user.linked'
        | 'rocketchat.user.updated';
      readonly userId: string;
      readonly rocketChatUserId: string;
      readonly username?: string;
      /** Which fields changed (names only, never values). */
      readonly fields?: readonly string[];
    }
  /** A person signed in through an OpenID provider or a trusted proxy header. */
  | {
      readonly kind: 'oidc.login.succeeded' | 'header.login.succeeded';
      readonly userId: string;
      readonly username: string;
      /** The OpenID provider's id (for `header`: the header's name). */
      readonly provider: string;
    }
  /** An OpenID sign-in that ended without a session, or a header sign-in that was refused. */
  | {
      readonly kind: 'oidc.login.failed' | 'header.login.refused';
      readonly provider: string;
      /** OidcLoginFailure or SignInRefusal (`state-unknown`, `provider-refused`, `disabled`...). */
      readonly reason: string;
      /** The user name the source gave, when it got that far. */
      readonly username?: string;
      /** The provider's OAuth error code (`access_denied`), for `provider-refused`. */
      readonly error?: string;
    }
  /** A provider's back-channel logout token: accepted (sessions ended) or refused (400). */
  | {
      readonly kind: 'oidc.backchannel-logout';
      readonly provider: string;
      readonly sessions: number;
    }
  | {
      readonly kind: 'oidc.backchannel-logout.refused';
      /** BackchannelLogoutError's reason (`signature`, `replayed`...). */
      readonly reason: string;
    }
  /** A role, room or team the bridge gave or took away because of the person's groups. */
  | {
      readonly kind: 'rocketchat.group.granted' | 'rocketchat.group.withdrawn';
      readonly userId: string;
      readonly rocketChatUserId: string;
      readonly targetKind: 'role' | 'channel' | 'privateGroup' | 'team';
      readonly target: string;
      /** The mapping rule that caused a grant. */
      readonly rule?: string;
    }
  // The directory (LDAP): its answers to the login form, and what leaving it does.
  | {
      readonly kind: 'login.directory';
      readonly username: string;
      /** `succeeded`, the directory's refusal, `unavailable`… (the form says "wrong credentials"). */
      readonly result: string;
      readonly userId?: string;
      /** The person's entry. */
      readonly dn?: string;
      readonly detail?: string;
    }
  | {
      /** The directory no longer vouches for the person (gone, disabled, out of the group). */
      readonly kind: 'account.deprovisioned';
      readonly userId: string;
      readonly username: string;
      readonly reason: string;
      readonly sessionsEnded: number;
      /** What happened to the Rocket.Chat account (deactivated, kept, refused…). */
      readonly rocketChat: string;
    }
  | {
      /** The source vouches again for a deprovisioned person: the bridge re-activated the account. */
      readonly kind: 'account.reinstated';
      readonly userId: string;
      readonly rocketChatUserId: string;
    };

export type AuditKind = AuditEvent['kind'];

export type AuditOutcome = 'success' | 'failure' | 'refused' | 'info';

const OUTCOMES: Record<AuditKind, AuditOutcome> = {
  'login.succeeded': 'success',
  'login.failed': 'failure',
  'login.throttled': 'refused',
  'login.busy': 'refused',
  'account.locked': 'refused',
  'lock.cleared': 'info',
  logout: 'success',
  'session.ended': 'info',
  'token.minted': 'success',
  'token.reused': 'success',
  'token.revoked': 'success',
  'rocketchat.user.created': 'success',
  'rocketchat.user.linked': 'success',
  'rocketchat.user.updated': 'success',
  'oidc.login.succeeded': 'success',
  'oidc.login.failed': 'failure',
  'header.login.succeeded': 'success',
  'header.login.refused': 'refused',
  'oidc.backchannel-logout': 'success',
  'oidc.backchannel-logout.refused': 'refused',
  'rocketchat.group.granted': 'success',
  'rocketchat.group.withdrawn': 'success',
  'login.directory': 'info',
  'account.deprovisioned': 'info',
  'account.reinstated': 'info',
};

export function outcomeOf(kind: AuditKind): AuditOutcome {
  return OUTCOMES[kind];
}
