import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Injectable, Logger } from '@nestjs/common';
import type { Entry } from 'ldapts';
import { DurationSamples, sleep } from '../../common/index.js';
import type { LdapSettings } from '../../config/index.js';
import { activeDirectoryBindRefusal } from './active-directory.js';
import type { LdapConnection } from './ldap-connection.js';
import {
  describeLdapError,
  LdapConfigurationError,
  resultCodeOf,
} from './ldap-errors.js';
import { isAccountDisabled } from './ldap-entry.js';
import { formatGroups, inRequiredGroup, resolveGroups } from './ldap-groups.js';
import { findByExternalId, findByUsername, toPerson } from './ldap-people.js';
import { LdapPool } from './ldap-pool.service.js';
import type {
  LdapLoginResult,
  LdapLookupQuery,
  LdapLookupResult,
  LdapRefusal,
} from './ldap-results.js';
import { isServerFailure } from './ldap-servers.js';
import { isPaddedRefusal } from './refusal-timing.js';

/** Longer input is refused without asking the directory (no real name or password is this long). */
const MAX_USERNAME_LENGTH = 256;
const MAX_PASSWORD_BYTES = 1024;

type BindOutcome =
  { ok: true; server: string } | { ok: false; refusal: LdapRefusal };

/** A sign-in's verdict, and whether a person bind was made for it (its duration is a sample). */
interface Checked {
  readonly result: LdapLoginResult;
  readonly bound: boolean;
  /** The server that searched, where a stand-in bind should go. */
  readonly server?: string;
}

/**
 * Sign-in against the directory: find the person with the service account, check that the
 * account is switched on, bind as the person on a connection of its own with the given password,
 * then read their groups and check LDAP_REQUIRED_GROUP. Also the later re-check of a signed-in
 * person (lookup). Directory outages throw LdapUnavailableError, settings that cannot work throw
 * LdapConfigurationError; everything else is a result.
 */
@Injectable()
export class LdapAuthenticator {
  private readonly logger = new Logger(LdapAuthenticator.name);
  /**
   * How long recent refusals that bound as the person took, from the start of the sign-in to the
   * verdict: a refusal without a bind (an unknown name: a search only) waits for one of them.
   */
  private readonly timing = new DurationSamples();

  constructor(private readonly pool: LdapPool) {}

  /** Whether LDAP sign-in is configured (LDAP_URL). */
  get enabled(): boolean {
    return this.pool.enabled;
  }

  /**
   * Checks a typed name and password against the directory. Refusals are results (the caller
   * answers them all like a wrong password), and every refusal that depends on the person takes
   * about as long as a wrong password (DurationSamples); outages and unusable settings are thrown.
   */
  async login(username: unknown, password: unknown): Promise<LdapLoginResult> {
    const started = performance.now();
    const { result, bound, server } = await this.check(username, password);
    if (result.ok || !isPaddedRefusal(result.refusal)) {
      return result;
    }
    if (bound) {
      this.timing.record(performance.now() - started);
    }
    let target = this.timing.pick();
    if (target === undefined) {
      // Nothing timed yet (a fresh start): a real bind stands in, and is the first sample.
      await this.standInBind(password as string, server);
      target = performance.now() - started;
      this.timing.record(target);
    }
    const left = target - (performance.now() - started);
    if (left > 0) {
      await sleep(left);
    }
    return result;
  }

  private async check(username: unknown, password: unknown): Promise<Checked> {
    if (
      typeof username !== 'string' ||
      typeof password !== 'string' ||
      username.trim() === '' ||
      username.length > MAX_USERNAME_LENGTH ||
      Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES
    ) {
      return {
        result: { ok: false, refusal: 'malformed-input' },
        bound: false,
      };
    }
    if (password.length === 0) {
      // RFC 4513 5.1.2: a simple bind with a DN and no password is an "unauthenticated" bind that
      // many servers accept; it must never count as a successful sign-in.
      return { result: { ok: false, refusal: 'empty-password' }, bound: false };
    }
    const settings = this.pool.settings;
    let searchedOn: string | undefined;
    const found = await this.pool.withServiceConnection((c) => {
      searchedOn = c.server.url;
      return findByUsername(c, settings, username);
    });
    const unbound = (result: LdapLoginResult): Checked => ({
      result,
      bound: false,
      server: searchedOn,
    });
    if (found.kind === 'none') {
      return unbound({ ok: false, refusal: 'unknown-user' });
    }
    if (found.kind === 'several') {
      this.logger.error(
        `LDAP_USER_FILTER matches several entries for one user name (${found.dns.join('; ')}): ` +
          'nobody can sign in with it until the filter or the directory is fixed',
      );
      return unbound({ ok: false, refusal: 'ambiguous-user' });
    }
    const { entry } = found;
    if (isAccountDisabled(entry, Date.now())) {
      return unbound({ ok: false, refusal: 'disabled', dn: entry.dn });
    }
    // An entry without a stable id cannot be signed in: say so before sending the password.
    const person = toPerson(entry, settings, username, []);
    const bind = await this.bindAsPerson(entry.dn, password, searchedOn);
    if (!bind.ok) {
      return {
        result: { ok: false, refusal: bind.refusal, dn: entry.dn },
        bound: true,
      };
    }
    const standing = await this.pool.withServiceConnection((c) =>
      this.standing(c, settings, entry, username),
    );
    if (!standing.allowed) {
      return {
        result: { ok: false, refusal: 'not-in-group', dn: entry.dn },
        bound: true,
      };
    }
    return {
      result: {
        ok: true,
        person: { ...person, groups: standing.groups },
        dn: entry.dn,
        server: bind.server,
      },
      bound: true,
    };
  }

  /**
   * What the directory says about a person now, by login name or (for a session's re-check) by
   * stable id: gone, disabled, out of LDAP_REQUIRED_GROUP, or active, with current groups.
   */
  async lookup(query: LdapLookupQuery): Promise<LdapLookupResult> {
    const settings = this.pool.settings;
    return this.pool.withServiceConnection(async (c) => {
      const found =
        'externalId' in query
          ? await findByExternalId(c, settings, query.externalId)
          : await findByUsername(c, settings, query.username);
      if (found.kind === 'none') {
        return { status: 'gone' };
      }
      if (found.kind === 'several') {
        throw new LdapConfigurationError(
          `LDAP_USER_FILTER matches several entries (${found.dns.join('; ')})`,
        );
      }
      const { entry } = found;
      const typed = 'username' in query ? query.username : undefined;
      const standing = await this.standing(c, settings, entry, typed ?? '');
      const person = toPerson(entry, settings, typed, standing.groups);
      const status = isAccountDisabled(entry, Date.now())
        ? 'disabled'
        : standing.allowed
          ? 'active'
          : 'not-in-group';
      return { status, person, dn: entry.dn };
    });
  }

  private async standing(
    connection: LdapConnection,
    settings: LdapSettings,
    entry: Entry,
    typedName: string,
  ): Promise<{ groups: string[]; allowed: boolean }> {
    const ref = { dn: entry.dn, username: typedName, entry };
    const dns = await resolveGroups(connection, settings, ref);
    const allowed = await inRequiredGroup(connection, settings, ref, dns);
    return { groups: formatGroups(dns, settings.groups.format), allowed };
  }

  /**
   * The password check: a bind as the person on a fresh connection, closed right after, on the
   * server that found them first (a replica may not have the entry yet).
   */
  private async bindAsPerson(
    dn: string,
    password: string,
    preferred: string | undefined,
  ): Promise<BindOutcome> {
    const outcome: { refusal?: LdapRefusal } = {};
    const connection = await this.pool.openForPersonBind(async (c) => {
      try {
        await c.client.bind(dn, password);
      } catch (error) {
        if (isServerFailure(error)) {
          throw error;
        }
        outcome.refusal = this.bindRefusal(error);
      }
    }, preferred);
    await connection.close();
    return outcome.refusal === undefined
      ? { ok: true, server: connection.server.url }
      : { ok: false, refusal: outcome.refusal };
  }

  /**
   * The cost of a person bind without a person: a new connection and a bind as an entry that
   * cannot exist (refused like a wrong password). A directory failing meanwhile changes nothing:
   * the refusal stands.
   */
  private async standInBind(
    password: string,
    preferred?: string,
  ): Promise<void> {
    const dn = `cn=rc-bridge-timing-${randomBytes(8).toString('hex')},${this.pool.settings.searchBase}`;
    try {
      const connection = await this.pool.openForPersonBind(async (c) => {
        await c.client.bind(dn, password).catch((error: unknown) => {
          if (isServerFailure(error)) {
            throw error;
          }
        });
      }, preferred);
      await connection.close();
    } catch {
      // Only timing was at stake.
    }
  }

  private bindRefusal(error: unknown): LdapRefusal {
    const code = resultCodeOf(error);
    if (code === 49) {
      const message = error instanceof Error ? error.message : '';
      return activeDirectoryBindRefusal(message) ?? 'wrong-password';
    }
    throw new LdapConfigurationError(
      `the directory refused a person's bind unexpectedly (${describeLdapError(error)})`,
      { cause: error },
    );
  }
}
