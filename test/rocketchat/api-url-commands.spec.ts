import { getConnectionToken } from '@nestjs/mongoose';
import type { CommandStartedEvent } from 'mongodb';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAdminService } from '../../src/users/index.js';
import { callApiUrl, loginAs, startHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery';
const CALLS = 20;
/** Writes that are not the API URL's: the audit trail's batched insert. */
const AUDIT = /audit/;

/**
 * What the API URL's warm path (a signed-in browser asking again, its token handed out moments
 * before) costs in MongoDB, counted from the driver's command monitoring as the command metrics
 * see it: two finds (the session, its token) and no write; the flood limit is in memory.
 */
describe('MongoDB commands per warm API URL call', () => {
  let h: Harness;
  const seen: CommandStartedEvent[] = [];

  beforeAll(async () => {
    h = await startHarness({
      label: 'api_commands',
      // No background pass during the count (the revocation queue polls on its own timer).
      env: { ROCKETCHAT_REVOCATION_INTERVAL: '1h' },
    });
    await h.app
      .get(UserAdminService)
      .create({ username: 'wendy', password: PASSWORD });
    h.app
      .get<Connection>(getConnectionToken())
      .getClient()
      .on('commandStarted', (event: CommandStartedEvent) => seen.push(event));
  });
  afterAll(() => h?.close());

  it('should cost 2 finds and 0 writes, the audit trail aside', async () => {
    const client = await loginAs(h.app, 'wendy', PASSWORD);
    expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(200); // mints
    expect((await callApiUrl(h.app, client, h.rc.origin)).statusCode).toBe(200);
    seen.length = 0;
    for (let i = 0; i < CALLS; i++) {
      const answer = await callApiUrl(h.app, client, h.rc.origin);
      expect(answer.statusCode).toBe(200);
    }
    const counted: Record<string, number> = {};
    for (const event of seen) {
      const collection = String(event.command[event.commandName] ?? '');
      if (!AUDIT.test(collection)) {
        const key = `${event.commandName} ${collection}`;
        counted[key] = (counted[key] ?? 0) + 1;
      }
    }
    // Per call: one find of each, nothing else.
    expect(counted).toEqual({
      'find bridge_sessions': CALLS,
      'find bridge_rocketchat_session_tokens': CALLS,
    });
  });
});
