import { Readable, Writable } from 'node:stream';
import { runCli } from '../../src/cli/cli.js';
import { COMMAND_GROUPS } from '../../src/cli/command-groups.js';
import type { Env } from '../../src/config/index.js';
import { SessionService } from '../../src/session/index.js';
import { TEST_ENV } from '../support/app.js';
import { GROUPS_DN, personDn, type TestDirectory } from '../support/slapd.js';
import { directoryEnv } from '../identity/ldap/ldap-harness.js';
import {
  callApiUrl,
  CREATE_TOKEN_SECRET,
  loginAs,
  type Harness,
} from '../rocketchat/harness.js';
import type { BrowserLikeClient } from '../support/browser-like-client.js';

export const STAFF = `cn=staff,${GROUPS_DN}`;
export const CHAT = `cn=chat,${GROUPS_DN}`;

/** The mapping rules these tests run with: a directory group and a local one. */
export const RULES = [
  { name: 'staff', group: STAFF, channels: ['staff-room'] },
  {
    name: 'contractors',
    group: 'contractors',
    sources: ['local'],
    channels: ['contractors'],
  },
];

/** The bridge's variables for the test directory and RULES (LDAP_REQUIRED_GROUP = chat). */
export function bridgeEnv(d: TestDirectory, extra: Env = {}): Env {
  return {
    ...directoryEnv(d),
    LDAP_REQUIRED_GROUP: CHAT,
    LDAP_RECHECK_INTERVAL: '5m',
    GROUP_MAPPINGS: JSON.stringify(RULES),
    ...extra,
  };
}

/** The whole environment the harness gave the bridge, for `rc-bridge` in-process. */
export function cliEnv(h: Harness, d: TestDirectory, extra: Env = {}): Env {
  return {
    ...TEST_ENV,
    MONGODB_URI: h.mongoUri,
    ROCKETCHAT_URL: h.rc.url,
    CREATE_TOKENS_FOR_USERS_SECRET: CREATE_TOKEN_SECRET,
    ROCKETCHAT_USER_ID: h.admin.userId,
    ROCKETCHAT_AUTH_TOKEN: h.admin.pat ?? '',
    ...bridgeEnv(d),
    ...extra,
  };
}

export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `rc-bridge <args>` through runCli, in this process (the binary's code path), `stdin` piped. */
export async function cli(
  args: readonly string[],
  env: Env,
  stdin = '',
): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const code = await runCli(
    args,
    {
      stdin: Readable.from(stdin === '' ? [] : [stdin]),
      stdout: sink((t) => (stdout += t)),
      stderr: sink((t) => (stderr += t)),
    },
    env,
    COMMAND_GROUPS,
    '0.0.0-test',
  );
  return { code, stdout, stderr };
}

export interface SignedIn {
  readonly client: BrowserLikeClient;
  readonly sessionId: string;
  readonly token: string;
  readonly rcUserId: string;
}

/** Signs a person in through the form and gets their Rocket.Chat token from the API URL. */
export async function signIn(
  h: Harness,
  username: string,
  password: string,
): Promise<SignedIn> {
  const client = await loginAs(h.app, username, password);
  const answer = await callApiUrl(h.app, client, h.rc.origin);
  if (answer.statusCode !== 200) {
    throw new Error(`API URL answered ${answer.statusCode} for ${username}`);
  }
  const token = answer.json<{ loginToken: string }>().loginToken;
  const check = await h.rc.control.checkToken(token);
  const session = await h.app.get(SessionService).resolve({
    headers: { cookie: client.cookieHeader() },
  } as never);
  return {
    client,
    sessionId: session?.id ?? '',
    token,
    rcUserId: check.userId ?? '',
  };
}

/** A new directory person in `staff` (so in `chat`, the required group, through nesting). */
export async function newStaffMember(
  d: TestDirectory,
  uid: string,
): Promise<{ dn: string; password: string }> {
  const password = `${uid}-pw-1`;
  const dn = await d.addPerson(uid, password, { mail: `${uid}@example.org` });
  await d.addMember('staff', dn);
  return { dn: dn || personDn(uid), password };
}
