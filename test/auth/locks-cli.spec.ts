import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appWithUsers,
  attemptLogin,
  outcome,
  PASSWORD,
} from './login-attempts.js';
import { runCli } from '../support/run-cli.js';

const SIGNED_IN = '303 http://localhost:8000/rocketchat/redirect';

describe('rc-bridge locks (the built bin, end to end)', () => {
  let t: Awaited<ReturnType<typeof appWithUsers>>;
  beforeAll(async () => {
    t = await appWithUsers('locks_cli', ['alice'], {
      LOGIN_IP_MAX_FAILURES: '3',
    });
  });
  afterAll(() => t.close());

  const cli = (...args: string[]) =>
    runCli(args, {
      MONGODB_URI: t.mongoUri,
      MONGO_SERVER_SELECTION_TIMEOUT: '3s',
    });

  // Starts the built CLI several times; each start costs seconds of CPU on a loaded 2-core machine.
  it('should list a locked account and a throttled address, clear both, and refuse other arguments', async () => {
    expect(await cli('locks', 'list')).toMatchObject({
      code: 0,
      stdout: 'No locks.\n',
    });

    for (let i = 0; i < 5; i++) {
      await attemptLogin(t.app, 'Alice', `wrong-${i}`, { ip: `10.7.0.${i}` });
    }
    for (let i = 0; i < 4; i++) {
      await attemptLogin(t.app, `nobody${i}`, 'wrong', { ip: '192.0.2.50' });
    }

    const table = await cli('locks', 'list');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^KIND\s+TARGET\s+UNTIL \(UTC\)\s+LOCK LEVEL$/);
    expect(
      lines
        .slice(1)
        .map((l) => l.split(/\s{2,}/).slice(0, 2))
        .sort((a, b) => a.join().localeCompare(b.join())),
    ).toEqual([
      ['account', 'alice'],
      ['address', '192.0.2.50'],
    ]);
    const json = JSON.parse((await cli('locks', 'list', '--json')).stdout) as {
      kind: string;
      target: string;
      until: string;
      level: number | null;
    }[];
    expect(json).toContainEqual({
      kind: 'account',
      target: 'alice',
      until: expect.stringMatching(/Z$/),
      level: 1,
    });

    expect(outcome(await attemptLogin(t.app, 'alice', PASSWORD))).toMatch(
      /^401 /,
    );
    expect(await cli('locks', 'clear', 'ALICE')).toMatchObject({
      code: 0,
      stdout: 'Cleared the lock and failure count of account alice\n',
    });
    expect(outcome(await attemptLogin(t.app, 'alice', PASSWORD))).toBe(
      SIGNED_IN,
    );

    expect(
      outcome(
        await attemptLogin(t.app, 'alice', PASSWORD, { ip: '192.0.2.50' }),
      ),
    ).toMatch(/^429 /);
    expect((await cli('locks', 'clear', '192.0.2.50')).code).toBe(0);
    expect(
      outcome(
        await attemptLogin(t.app, 'alice', PASSWORD, { ip: '192.0.2.50' }),
      ),
    ).toBe(SIGNED_IN);
    expect(await cli('locks', 'list')).toMatchObject({
      code: 0,
      stdout: 'No locks.\n',
    });

    const refused = await cli('locks', 'clear', 'not a name!');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'is neither an IP address nor a possible username',
    );

    const audit = await t.app
      .get<Connection>(getConnectionToken())
      .collection('bridge_audit_events')
      .find({ kind: 'lock.cleared' })
      .toArray();
    expect(audit.map((a) => a.details as unknown)).toEqual([
      { target: 'alice', targetKind: 'account' },
      { target: '192.0.2.50', targetKind: 'address' },
    ]);
  }, 120_000);
});
