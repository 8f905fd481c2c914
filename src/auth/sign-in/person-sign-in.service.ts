import { Injectable, Logger } from '@nestjs/common';
import { sourceOf, type AuthenticatedPerson } from '../../identity/index.js';
import {
  parseDisplayName,
  parseEmail,
  parseUsername,
  UserIdentitiesRepository,
  UsernameTakenError,
  UsersRepository,
  type BridgeUser,
} from '../../users/index.js';
import { SignInRefusedError } from './sign-in.errors.js';

/** How a person seen for the first time may take over an existing bridge user. */
export interface LinkPolicy {
  /** Link the bridge user with the same (case-insensitive) user name, if not tied to a source. */
  readonly byUsername: boolean;
  /** Link the one bridge user with the same address, only when the source says it is verified. */
  readonly byEmail: boolean;
}

export const NO_LINKING: LinkPolicy = { byUsername: false, byEmail: false };

/**
 * The seam between identity sources and the rest of the bridge: a person an identity source
 * vouched for (OpenID Connect, LDAP, a trusted header) becomes a bridge user, found by (source,
 * stable id), never by e-mail unless the policy says so and the source verified the address;
 * created just in time, and refreshed from the source at each sign-in (the source stays the
 * source of truth for name, address and groups). A disabled bridge user is refused whatever the
 * source says. Sessions, Rocket.Chat provisioning and group mappings then see a bridge user as for
 * a local login.
 */
@Injectable()
export class PersonSignIn {
  private readonly logger = new Logger(PersonSignIn.name);

  constructor(
    private readonly identities: UserIdentitiesRepository,
    private readonly users: UsersRepository,
  ) {}

  async resolve(
    person: AuthenticatedPerson,
    policy: LinkPolicy = NO_LINKING,
  ): Promise<BridgeUser> {
    const source = sourceOf(person);
    const profile = profileOf(person);
    const known = await this.identities.findByExternal(
      source,
      person.externalId,
    );
    const user = known ?? (await this.firstSignIn(person, source, policy));
    if (!user.active) {
      throw new SignInRefusedError(
        'disabled',
        `The bridge user ${user.username} is disabled`,
      );
    }
    return (await this.identities.refresh(user.id, profile)) ?? user;
  }

  private async firstSignIn(
    person: AuthenticatedPerson,
    source: string,
    policy: LinkPolicy,
  ): Promise<BridgeUser> {
    const name = parseUsername(person.username);
    if (!name.ok) {
      throw new SignInRefusedError(
        'invalid-username',
        `The user name given by ${source} ${name.problem}`,
      );
    }
    const linked = await this.linkExisting(
      person,
      source,
      policy,
      name.value.key,
    );
    if (linked) {
      return linked;
    }
    const profile = profileOf(person);
    try {
      return await this.identities.create({
        username: name.value.display,
        usernameNormalized: name.value.key,
        email: profile.email,
        displayName: profile.displayName,
        source,
        externalId: person.externalId,
        groups: person.groups,
      });
    } catch (error) {
      if (!(error instanceof UsernameTakenError)) {
        throw error;
      }
      // The same person signing in twice at once: the other attempt created them.
      const raced = await this.identities.findByExternal(
        source,
        person.externalId,
      );
      if (raced) {
        return raced;
      }
      throw new SignInRefusedError(
        'username-taken',
        `The user name ${name.value.display} belongs to another bridge user; ` +
          'an administrator can link them (see docs) or rename one',
      );
    }
  }

  private async linkExisting(
    person: AuthenticatedPerson,
    source: string,
    policy: LinkPolicy,
    usernameKey: string,
  ): Promise<BridgeUser | null> {
    let candidate: BridgeUser | null = null;
    if (policy.byEmail && person.emailVerified && person.email) {
      const email = parseEmail(person.email);
      const matches =
        email.ok && email.value
          ? await this.identities.findByEmail(email.value)
          : [];
      if (matches.length > 1) {
        throw new SignInRefusedError(
          'email-ambiguous',
          'Several bridge users have this e-mail address; none was linked',
        );
      }
      candidate = matches[0] ?? null;
    }
    if (!candidate && policy.byUsername) {
      const byName = await this.users.findByUsername(usernameKey);
      candidate = byName;
    }
    if (!candidate) {
      return null;
    }
    const linked = await this.identities.link(
      candidate.id,
      source,
      person.externalId,
    );
    if (linked) {
      this.logger.log(
        `Bridge user ${linked.username} is now linked to ${source} (${linked.id})`,
      );
    }
    return linked;
  }
}

/** Name and address as the bridge stores them; what cannot be stored is dropped, not refused. */
export function profileOf(person: AuthenticatedPerson): {
  email: string | undefined;
  displayName: string | undefined;
  groups: readonly string[];
} {
  const email = parseEmail(person.email);
  const displayName = parseDisplayName(person.displayName);
  return {
    email: email.ok ? email.value : undefined,
    displayName: displayName.ok ? displayName.value : undefined,
    groups: person.groups,
  };
}
