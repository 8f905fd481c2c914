import { MongoClient, type Db } from 'mongodb';

/**
 * What must hold between the bridge's database and Rocket.Chat's once the bridge has settled
 * (traffic stopped, revocations drained, the orphan sweep run): nothing orphaned, nothing
 * half-written. Reads both databases directly, so it judges what is stored, not what the code
 * believes.
 */
export interface ConsistencyOptions {
  /** The bridge's database (a URI with its database name). */
  readonly bridgeUri: string;
  /** Rocket.Chat's database (the emulator's). */
  readonly rocketChatUri: string;
  /** MONGO_COLLECTION_PREFIX (default `bridge_`). */
  readonly prefix?: string;
  /** Rocket.Chat accounts the bridge does not own (its admin, accounts a test created). */
  readonly foreignRocketChatUsers?: readonly string[];
  /** Resume tokens (hashed) a test issued itself, say a "mobile" login. */
  readonly foreignTokens?: readonly string[];
  /** A revocation not due for this long is "scheduled", not stuck (default 0: none may wait). */
  readonly revocationSlackMs?: number;
  readonly now?: number;
}

interface BridgeUserDoc {
  _id: unknown;
  username: string;
  displayName?: string;
}
interface SessionDoc {
  _id: unknown;
  userId: string;
}
interface LinkDoc {
  _id: string;
  state: 'pending' | 'linked';
  rcUserId: string;
  pendingUsername?: string;
}
interface SessionTokenDoc {
  _id: string;
  state: 'minting' | 'issued';
  rcUserId?: string;
  hashedToken?: string;
  claimUntil?: Date;
}
interface RevocationDoc {
  _id: string;
  kind: 'token' | 'user-logout';
  rcUserId: string;
  attempts: number;
  nextAttemptAt: Date;
  notAfter: Date;
  lastError?: string;
}
interface RocketChatUserDoc {
  _id: string;
  username?: string;
  name?: string;
  type?: string;
  roles?: string[];
  services?: {
    resume?: {
      loginTokens?: { hashedToken: string; type?: string; when?: Date }[];
    };
  };
}

/** Every problem found, one readable line each; empty when the two databases agree. */
export async function checkConsistency(
  options: ConsistencyOptions,
): Promise<string[]> {
  const bridge = await MongoClient.connect(options.bridgeUri, {
    serverSelectionTimeoutMS: 10_000,
  });
  const rocketChat = await MongoClient.connect(options.rocketChatUri, {
    serverSelectionTimeoutMS: 10_000,
  });
  try {
    return await findProblems(
      bridge.db(),
      rocketChat.db(),
      options.prefix ?? 'bridge_',
      options,
    );
  } finally {
    await bridge.close();
    await rocketChat.close();
  }
}

async function findProblems(
  bridge: Db,
  rocketChat: Db,
  prefix: string,
  options: ConsistencyOptions,
): Promise<string[]> {
  const now = options.now ?? Date.now();
  const all = <T>(db: Db, name: string): Promise<T[]> =>
    db.collection(name).find({}).toArray() as Promise<T[]>;
  const [users, sessions, links, tokens, revocations, rcUsers] =
    await Promise.all([
      all<BridgeUserDoc>(bridge, `${prefix}users`),
      all<SessionDoc>(bridge, `${prefix}sessions`),
      all<LinkDoc>(bridge, `${prefix}rocketchat_user_links`),
      all<SessionTokenDoc>(bridge, `${prefix}rocketchat_session_tokens`),
      all<RevocationDoc>(bridge, `${prefix}rocketchat_revocations`),
      all<RocketChatUserDoc>(rocketChat, 'users'),
    ]);
  const problems: string[] = [];
  const userIds = new Set(users.map((u) => String(u._id)));
  const sessionIds = new Set(sessions.map((s) => String(s._id)));
  const rcUserIds = new Set(rcUsers.map((u) => u._id));
  const foreignUsers = new Set(options.foreignRocketChatUsers ?? []);

  for (const session of sessions) {
    if (!userIds.has(session.userId)) {
      problems.push(
        `session ${String(session._id)} belongs to user ${session.userId}, who does not exist`,
      );
    }
  }

  const linkedRcUsers = new Map<string, string>();
  for (const link of links) {
    if (!userIds.has(link._id)) {
      problems.push(`link of bridge user ${link._id}, who does not exist`);
    }
    if (link.state === 'pending') {
      problems.push(
        `provisioning of bridge user ${link._id} left pending${
          link.pendingUsername ? ` (intent: ${link.pendingUsername})` : ''
        }`,
      );
      continue;
    }
    linkedRcUsers.set(link.rcUserId, link._id);
    if (!rcUserIds.has(link.rcUserId)) {
      problems.push(
        `bridge user ${link._id} is linked to Rocket.Chat user ${link.rcUserId}, who does not exist`,
      );
    }
  }

  const tracked = new Set<string>();
  for (const token of tokens) {
    if (!sessionIds.has(token._id)) {
      problems.push(
        `${token.state} token record of session ${token._id}, which no longer exists`,
      );
    }
    if (token.state === 'minting') {
      if ((token.claimUntil?.getTime() ?? 0) <= now) {
        problems.push(`abandoned mint claim of session ${token._id}`);
      }
    } else if (token.hashedToken) {
      tracked.add(token.hashedToken);
    }
  }

  const slack = options.revocationSlackMs ?? 0;
  for (const job of revocations) {
    // A token job's id ends with the hashed token it revokes: it is still tracked until done.
    if (job.kind === 'token') {
      tracked.add(job._id.slice(job._id.lastIndexOf(':') + 1));
    }
    if (job.notAfter.getTime() <= now) {
      problems.push(`revocation ${job._id} outlived its deadline`);
    } else if (slack === 0 || job.nextAttemptAt.getTime() <= now - slack) {
      problems.push(
        `revocation ${job._id} still pending after ${job.attempts} attempt(s)${
          job.lastError ? ` (${job.lastError})` : ''
        }`,
      );
    }
  }

  const foreignTokens = new Set(options.foreignTokens ?? []);
  const byName = new Map<string, string[]>();
  for (const rcUser of rcUsers) {
    if (foreignUsers.has(rcUser._id)) {
      continue;
    }
    const owner = linkedRcUsers.get(rcUser._id);
    if (owner === undefined) {
      problems.push(
        `Rocket.Chat user ${rcUser._id} (${rcUser.username ?? '?'}) is linked to no bridge user`,
      );
    }
    const resume = (rcUser.services?.resume?.loginTokens ?? []).filter(
      (t) => t.type !== 'personalAccessToken',
    );
    for (const token of resume) {
      if (
        !tracked.has(token.hashedToken) &&
        !foreignTokens.has(token.hashedToken)
      ) {
        problems.push(
          `Rocket.Chat user ${rcUser._id} (${rcUser.username ?? '?'}) holds a login token the bridge does not track (issued ${
            token.when?.toISOString() ?? '?'
          })`,
        );
      }
    }
    const name = rcUser.name ?? '';
    byName.set(name, [...(byName.get(name) ?? []), rcUser._id]);
  }

  for (const user of users) {
    const name = user.displayName ?? user.username;
    const accounts = byName.get(name) ?? [];
    if (accounts.length > 1) {
      problems.push(
        `bridge user ${String(user._id)} (${user.username}) has ${accounts.length} Rocket.Chat accounts: ${accounts.join(', ')}`,
      );
    }
  }
  return problems;
}
