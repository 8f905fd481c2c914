import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminCredentials } from '../../src/rocketchat/client/admin-credentials.service.js';
import { BRIDGE_TOKEN_NAME } from '../../src/rocketchat/client/admin-bootstrap.service.js';
import { RocketChatApi } from '../../src/rocketchat/client/rocketchat-api.service.js';
import { createTestApp } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import { startHarness, type Harness } from './harness.js';

async function adminDocs(mongoUri: string) {
  const client = await new MongoClient(mongoUri).connect();
  try {
    return await client
      .db()
      .collection<{ _id: string; rcUserId?: string }>('bridge_rocketchat_admin')
      .find()
      .toArray();
  } finally {
    await client.close();
  }
}

describe.each(['7.10.0', '8.0.0', '9.0.1'])(
  'Admin credential bootstrap (Rocket.Chat %s)',
  (version) => {
    let h: Harness | undefined;

    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it('should log in once, create a bypassTwoFactor token, store it sealed and log the login out', async () => {
      h = await startHarness({ version, adminMode: 'password' });
      const auth = await h.app.get(AdminCredentials).get();
      expect(auth.userId).toBe(h.admin.userId);
      const tokens = await h.rc.control.tokens(h.admin.userId);
      expect(tokens).toContainEqual(
        expect.objectContaining({
          kind: 'personalAccessToken',
          name: BRIDGE_TOKEN_NAME,
          bypassTwoFactor: true,
        }),
      );
      // The temporary password login was logged out again.
      expect(await h.rc.control.tokenCount(h.admin.userId, 'resume')).toBe(0);
      expect(h.rc.control.countCalls('login')).toBe(1);
      // 2FA went through the password fallback (the account is 30 days old, no TOTP/e-mail).
      expect(
        h.rc.control.calls({ route: 'users.generatePersonalAccessToken' }),
      ).toEqual([expect.objectContaining({ status: 200 })]);
      const docs = await adminDocs(h.mongoUri);
      const stored = docs.find((d) => d._id === 'credentials');
      expect(stored?.rcUserId).toBe(h.admin.userId);
      expect(JSON.stringify(docs)).not.toContain(auth.token);
      expect(await h.rc.control.checkToken(auth.token)).toMatchObject({
        valid: true,
        kind: 'personalAccessToken',
      });
    });

    it('should reuse the stored token in a second bridge on the same database', async () => {
      h = await startHarness({ version, adminMode: 'password' });
      const first = await h.app.get(AdminCredentials).get();
      const second = await createTestApp({
        env: {
          MONGODB_URI: h.mongoUri,
          ROCKETCHAT_URL: h.rc.url,
          ROCKETCHAT_USER_ID: undefined,
          ROCKETCHAT_AUTH_TOKEN: undefined,
          ROCKETCHAT_ADMIN_USERNAME: h.admin.username,
          ROCKETCHAT_ADMIN_PASSWORD: h.admin.password,
        },
      });
      try {
        expect(await second.app.get(AdminCredentials).get()).toEqual({
          userId: first.userId,
          token: first.token,
        });
        expect(h.rc.control.countCalls('login')).toBe(1);
      } finally {
        await second.close();
      }
    });

    it('should create a new token when Rocket.Chat no longer accepts the stored one', async () => {
      h = await startHarness({ version, adminMode: 'password' });
      const first = await h.app.get(AdminCredentials).get();
      await h.rc.control.revokeToken(h.admin.userId, first.token);
      const alice = await h.rc.control.createUser({ username: 'alice' });
      expect(
        await h.app.get(RocketChatApi).userByUsername('alice'),
      ).toMatchObject({ id: alice.userId });
      const second = await h.app.get(AdminCredentials).get();
      expect(second.token).not.toBe(first.token);
      expect(h.rc.control.countCalls('login')).toBe(2);
    });

    it('should refuse readably when the admin account has TOTP', async () => {
      const rc = await startHarness({ version });
      h = rc;
      const totpAdmin = await rc.rc.control.createAdmin({ totp: true });
      const app = await createTestApp({
        env: {
          ROCKETCHAT_URL: rc.rc.url,
          ROCKETCHAT_USER_ID: undefined,
          ROCKETCHAT_AUTH_TOKEN: undefined,
          ROCKETCHAT_ADMIN_USERNAME: totpAdmin.username,
          ROCKETCHAT_ADMIN_PASSWORD: totpAdmin.password,
        },
      });
      try {
        const error = await app.app
          .get(AdminCredentials)
          .get()
          .catch((e: unknown) => e);
        expect((error as Error).message).toMatch(
          /two-factor authentication\b.*ROCKETCHAT_AUTH_TOKEN/,
        );
        // Rocket.Chat 9 answers a missing code like a wrong password (a bare 401).
        expect((error as Error).message.includes('does not say which')).toBe(
          version.startsWith('9'),
        );
      } finally {
        await app.close();
      }
    });

    it('should refuse readably when the password is wrong', async () => {
      h = await startHarness({
        version,
        adminMode: 'password',
        env: { ROCKETCHAT_ADMIN_PASSWORD: 'wrong-password-value' },
      });
      const error = await h.app
        .get(AdminCredentials)
        .get()
        .catch((e: unknown) => e);
      expect((error as Error).message).toMatch(
        /ROCKETCHAT_ADMIN_PASSWORD: Rocket.Chat refused the login/,
      );
    });

    it('should create the token once when several replicas start together', async () => {
      h = await startHarness({ version });
      const shared = freshDatabaseUri('replicas').uri;
      const env = {
        MONGODB_URI: shared,
        ROCKETCHAT_URL: h.rc.url,
        ROCKETCHAT_USER_ID: undefined,
        ROCKETCHAT_AUTH_TOKEN: undefined,
        ROCKETCHAT_ADMIN_USERNAME: h.admin.username,
        ROCKETCHAT_ADMIN_PASSWORD: h.admin.password,
      };
      const replicas = await Promise.all(
        [1, 2, 3].map(() => createTestApp({ env })),
      );
      try {
        const tokens = await Promise.all(
          replicas.map((r) => r.app.get(AdminCredentials).get()),
        );
        expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
        expect(h.rc.control.countCalls('login')).toBe(1);
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
      }
    });
  },
);
