import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyIframeTokenStrategy } from '../../src/rocketchat/tokens/legacy-iframe-token.strategy.js';
import { MongoResumeTokenStrategy } from '../../src/rocketchat/tokens/mongo-resume-token.strategy.js';
import { RestTokenStrategy } from '../../src/rocketchat/tokens/rest-token.strategy.js';
import { TokenMintingRefusedError } from '../../src/rocketchat/tokens/token.errors.js';
import { startHarness, type Harness } from './harness.js';

/** What Rocket.Chat's web client does with an answer: a DDP login. */
async function ddpLogin(h: Harness, args: Record<string, unknown>) {
  const response = await fetch(`${h.rc.url}/_ddp/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(args),
  });
  return (await response.json()) as {
    result?: { id: string };
    error?: { reason?: string };
  };
}

describe.each(['7.10.0', '8.0.0', '9.0.1'])(
  'rest strategy (Rocket.Chat %s)',
  (version) => {
    let h: Harness;

    beforeAll(async () => {
      h = await startHarness({ version });
    });

    afterAll(async () => {
      await h.close();
    });

    it('should mint a resume token Rocket.Chat accepts, and revoke exactly it', async () => {
      const user = await h.rc.control.createUser({ resumeToken: true });
      const strategy = h.app.get(RestTokenStrategy);
      const minted = await strategy.mint(user.userId);
      expect(minted.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await ddpLogin(h, { resume: minted.token })).toMatchObject({
        result: { id: user.userId },
      });
      await strategy.revoke(user.userId, minted.token);
      expect(await h.rc.control.checkToken(minted.token)).toMatchObject({
        valid: false,
      });
      // The user's other login survives.
      expect(
        await h.rc.control.checkToken(user.resumeToken ?? ''),
      ).toMatchObject({ valid: true });
      // Revoking a token Rocket.Chat no longer has is not an error.
      await strategy.revoke(user.userId, minted.token);
    });

    it('should send the body this version expects', async () => {
      const user = await h.rc.control.createUser();
      await h.app.get(RestTokenStrategy).mint(user.userId);
      const calls = h.rc.control.calls({ route: 'users.createToken' });
      expect(calls.at(-1)).toMatchObject({ status: 200 });
    });
  },
);

describe('rest strategy refusals', () => {
  it('should name CREATE_TOKENS_FOR_USERS when Rocket.Chat 7 has it off', async () => {
    const h = await startHarness({
      version: '7.10.0',
      emulator: { env: {} },
    });
    try {
      const user = await h.rc.control.createUser();
      const error = await h.app
        .get(RestTokenStrategy)
        .mint(user.userId)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenMintingRefusedError);
      expect((error as Error).message).toContain(
        'CREATE_TOKENS_FOR_USERS=true on the Rocket.Chat server',
      );
    } finally {
      await h.close();
    }
  });

  // 8.x refuses with 400 error-not-authorized, 9.x with 403 error-forbidden.
  it.each(['8.0.0', '9.0.1'])(
    'should name CREATE_TOKENS_FOR_USERS_SECRET when Rocket.Chat %s refuses the secret',
    async (version) => {
      const h = await startHarness({
        version,
        emulator: { env: { CREATE_TOKENS_FOR_USERS_SECRET: 'another-secret' } },
      });
      try {
        const user = await h.rc.control.createUser();
        const error = await h.app
          .get(RestTokenStrategy)
          .mint(user.userId)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TokenMintingRefusedError);
        expect((error as Error).message).toMatch(
          /CREATE_TOKENS_FOR_USERS_SECRET on the Rocket.Chat server to the same value/,
        );
      } finally {
        await h.close();
      }
    },
  );

  it('should say the bridge lacks the secret when Rocket.Chat 8 is detected without one', async () => {
    const h = await startHarness({
      version: '8.0.0',
      env: { CREATE_TOKENS_FOR_USERS_SECRET: undefined },
    });
    try {
      const user = await h.rc.control.createUser();
      const error = await h.app
        .get(RestTokenStrategy)
        .mint(user.userId)
        .catch((e: unknown) => e);
      expect((error as Error).message).toMatch(
        /set CREATE_TOKENS_FOR_USERS_SECRET for the bridge/,
      );
      expect(h.rc.control.countCalls('users.createToken')).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('should notice an upgrade to 8 and resend with the secret', async () => {
    const h = await startHarness({ version: '7.10.0' });
    try {
      // Already logged in once: bug #40598 (7.x, 8.0.0) is not what this test is about.
      const user = await h.rc.control.createUser({ resumeToken: true });
      const strategy = h.app.get(RestTokenStrategy);
      await strategy.mint(user.userId);
      h.rc.control.setVersion('8.0.0');
      const minted = await strategy.mint(user.userId);
      expect(await h.rc.control.checkToken(minted.token)).toMatchObject({
        valid: true,
      });
      expect(
        h.rc.control.calls({ route: 'users.createToken' }).map((c) => c.status),
      ).toEqual([200, 400, 200]);
    } finally {
      await h.close();
    }
  });

  it('should use ROCKETCHAT_VERSION instead of asking', async () => {
    const h = await startHarness({
      version: '7.10.0',
      env: { ROCKETCHAT_VERSION: '7.10' },
    });
    try {
      const user = await h.rc.control.createUser();
      await h.app.get(RestTokenStrategy).mint(user.userId);
      expect(h.rc.control.countCalls('info')).toBe(0);
    } finally {
      await h.close();
    }
  });
});

describe('mongo-resume strategy', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      withMongoDb: true,
      env: { ROCKETCHAT_TOKEN_STRATEGY: 'mongo-resume' },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it("should write a resume token Rocket.Chat accepts without touching the user's other services", async () => {
    const user = await h.rc.control.createUser({
      resumeToken: true,
      pat: true,
    });
    const before = await h.rc.control.getUser(user.userId);
    const strategy = h.app.get(MongoResumeTokenStrategy);
    const minted = await strategy.mint(user.userId);
    expect(await ddpLogin(h, { resume: minted.token })).toMatchObject({
      result: { id: user.userId },
    });
    const after = await h.rc.control.getUser(user.userId);
    expect(after?.services?.password).toEqual(before?.services?.password);
    expect(after?.services?.email2fa).toEqual(before?.services?.email2fa);
    expect(await h.rc.control.tokenCount(user.userId)).toBe(3);
    expect(h.rc.control.countCalls('users.createToken')).toBe(0);

    await strategy.revoke(user.userId, minted.token);
    expect(await h.rc.control.checkToken(minted.token)).toMatchObject({
      valid: false,
    });
    expect(await h.rc.control.checkToken(user.resumeToken ?? '')).toMatchObject(
      {
        valid: true,
      },
    );
    expect(await h.rc.control.checkToken(user.pat ?? '')).toMatchObject({
      valid: true,
    });
  });

  it('should refuse to write a token for a deactivated user', async () => {
    const user = await h.rc.control.createUser({ active: false });
    await expect(
      h.app.get(MongoResumeTokenStrategy).mint(user.userId),
    ).rejects.toThrow(/no active user/);
  });
});

describe('legacy-iframe-token strategy', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      withMongoDb: true,
      env: { ROCKETCHAT_TOKEN_STRATEGY: 'legacy-iframe-token' },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('should set only services.iframe.token, which the iframe login handler accepts, and unset it on revoke', async () => {
    const user = await h.rc.control.createUser({ resumeToken: true });
    const before = await h.rc.control.getUser(user.userId);
    const strategy = h.app.get(LegacyIframeTokenStrategy);
    expect(strategy.responseField).toBe('token');
    const minted = await strategy.mint(user.userId);
    const after = await h.rc.control.getUser(user.userId);
    expect(after?.services?.iframe).toEqual({ token: minted.token });
    expect(after?.services?.password).toEqual(before?.services?.password);
    expect(after?.services?.resume).toEqual(before?.services?.resume);
    expect(
      await ddpLogin(h, { iframe: true, token: minted.token }),
    ).toMatchObject({
      result: { id: user.userId },
    });

    await strategy.revoke(user.userId, minted.token);
    const revoked = await h.rc.control.getUser(user.userId);
    expect(revoked?.services?.iframe?.token).toBeUndefined();
    expect(
      await ddpLogin(h, { iframe: true, token: minted.token }),
    ).toHaveProperty('error');
  });

  it('should leave a newer token of the user alone when revoking an older one', async () => {
    const user = await h.rc.control.createUser();
    const strategy = h.app.get(LegacyIframeTokenStrategy);
    const older = await strategy.mint(user.userId);
    const newer = await strategy.mint(user.userId);
    await strategy.revoke(user.userId, older.token);
    expect((await h.rc.control.getUser(user.userId))?.services?.iframe).toEqual(
      {
        token: newer.token,
      },
    );
  });
});

describe('rest strategy with MONGO_DB', () => {
  it("should revoke through Rocket.Chat's database, not the rate-limited REST logout", async () => {
    const h = await startHarness({ withMongoDb: true });
    try {
      const user = await h.rc.control.createUser({ resumeToken: true });
      const strategy = h.app.get(RestTokenStrategy);
      const minted = await strategy.mint(user.userId);
      await strategy.revoke(user.userId, minted.token);
      expect((await h.rc.control.checkToken(minted.token)).valid).toBe(false);
      expect(
        (await h.rc.control.checkToken(user.resumeToken ?? '')).valid,
      ).toBe(true);
      expect(h.rc.control.countCalls('logout')).toBe(0);
    } finally {
      await h.close();
    }
  });
});
