import type { AuthenticatedPerson } from '../authenticated-person.js';

/**
 * Why a directory sign-in was refused. The sign-in form answers all of them exactly like a wrong
 * local password; the reason is for the audit log only.
 */
export type LdapRefusal =
  /** Refused before any bind: a simple bind without a password is "unauthenticated" and succeeds. */
  | 'empty-password'
  /** Not a string, or longer than any real name or password; nothing was sent to the directory. */
  | 'malformed-input'
  | 'unknown-user'
  /** The user filter matched several entries: a configuration problem, logged as such. */
  | 'ambiguous-user'
  | 'wrong-password'
  /** AD's ACCOUNTDISABLE flag, an OpenLDAP ppolicy permanent lock, 389-DS/FreeIPA nsAccountLock. */
  | 'disabled'
  /** A temporary lock the directory reported (AD: too many failures). */
  | 'locked'
  | 'password-expired'
  | 'account-expired'
  | 'must-change-password'
  /** AD: outside the allowed logon hours or workstations. */
  | 'logon-restricted'
  | 'not-in-group';

export type LdapLoginResult =
  | {
      readonly ok: true;
      readonly person: AuthenticatedPerson;
      /** The person's entry, for the audit log. */
      readonly dn: string;
      /** The server (`ldaps://host:port`) that checked the password. */
      readonly server: string;
    }
  | {
      readonly ok: false;
      readonly refusal: LdapRefusal;
      /** The entry found, when one was. */
      readonly dn?: string;
    };

/** Whom to look up again: by login name, or (for a session's re-check) by the stable id. */
export type LdapLookupQuery =
  { readonly username: string } | { readonly externalId: string };

/**
 * What the directory says about a person now (the source-of-truth re-check). Errors (directory
 * unavailable, configuration) are thrown, never turned into "gone".
 */
export type LdapLookupResult =
  | {
      readonly status: 'active' | 'disabled' | 'not-in-group';
      readonly person: AuthenticatedPerson;
      readonly dn: string;
    }
  | { readonly status: 'gone' };
