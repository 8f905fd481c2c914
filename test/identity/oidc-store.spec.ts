import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexManager } from '../../src/database/index.js';
import {
  OidcDiscovery,
  OidcDoctorProbes,
  OidcSweeper,
} from '../../src/identity/oidc/index.js';
import { LogoutTokenRepository } from '../../src/identity/oidc/logout-token.repository.js';
import {
  OIDC_LOGOUT_TOKEN_MODEL,
  type LogoutTokenRecord,
} from '../../src/identity/oidc/logout-token.schema.js';
import { PendingLoginRepository } from '../../src/identity/oidc/pending-login.repository.js';
import {
  OIDC_PENDING_LOGIN_MODEL,
  type PendingLoginRecord,
} from '../../src/identity/oidc/pending-login.schema.js';
import { createOidcContext, type OidcContext } from './oidc-fixture.js';

function pending(id: string, expiresAt: Date): PendingLoginRecord {
  return {
    _id: id,
    bindingHash: 'b'.repeat(64),
    providerId: 'default',
    nonce: 'n',
    codeVerifier: 'v',
    next: '/',
    popup: false,
    createdAt: new Date(),
    expiresAt,
  };
}

describe('OpenID sign-in store (MongoDB), with OpenID Connect off', () => {
  let t: OidcContext;
  let logins: Model<PendingLoginRecord>;
  let tokens: Model<LogoutTokenRecord>;

  beforeAll(async () => {
    t = await createOidcContext({}, 'oidc_store');
    logins = t.module.get(getModelToken(OIDC_PENDING_LOGIN_MODEL));
    tokens = t.module.get(getModelToken(OIDC_LOGOUT_TOKEN_MODEL));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('should have no providers, no probes and nothing to discover when no issuer is set', async () => {
    expect(t.get(OidcDiscovery).providers).toEqual([]);
    expect(await t.get(OidcDoctorProbes).probeAll()).toEqual([]);
  });

  it('should keep its records in prefixed collections', () => {
    expect(logins.collection.collectionName).toBe('bridge_oidc_logins');
    expect(tokens.collection.collectionName).toBe('bridge_oidc_logout_tokens');
  });

  it('should have a TTL index on expiry (the test server has them too)', async () => {
    expect(t.get(IndexManager).ttlSupported).toBe(true);
    for (const model of [logins, tokens]) {
      const ttl = (await model.collection.indexes()).find(
        (i) => i.name === 'expiresAt_ttl',
      );
      expect(ttl?.expireAfterSeconds).toBe(0);
    }
  });

  it('should hand a pending sign-in to exactly one of several simultaneous callbacks', async () => {
    const repo = t.get(PendingLoginRepository);
    await repo.insert(pending('race', new Date(Date.now() + 60_000)));
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () =>
        repo.consume('race', 'b'.repeat(64), new Date()),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.why)).toEqual(
      Array(5).fill('unknown'),
    );
  });

  it('should remember a logout token once, and sweep expired sign-ins and tokens', async () => {
    const seen = t.get(LogoutTokenRepository);
    const past = new Date(Date.now() - 1000);
    const future = new Date(Date.now() + 60_000);
    const record = {
      _id: 'jti-1',
      providerId: 'default',
      receivedAt: new Date(),
      expiresAt: past,
    };
    expect(await seen.remember(record)).toBe(true);
    expect(await seen.remember(record)).toBe(false);
    await seen.remember({ ...record, _id: 'jti-2', expiresAt: future });
    const repo = t.get(PendingLoginRepository);
    await repo.insert(pending('old', past));
    await repo.insert(pending('new', future));
    // An expired sign-in is refused before any sweep.
    expect(await repo.consume('old', 'b'.repeat(64), new Date())).toEqual({
      ok: false,
      why: 'expired',
    });

    expect(await t.get(OidcSweeper).sweep()).toBeGreaterThanOrEqual(2);
    expect(
      await logins.collection.countDocuments({ _id: 'old' } as never),
    ).toBe(0);
    expect(
      await logins.collection.countDocuments({ _id: 'new' } as never),
    ).toBe(1);
    expect(
      await tokens.collection.countDocuments({ _id: 'jti-1' } as never),
    ).toBe(0);
    expect(
      await tokens.collection.countDocuments({ _id: 'jti-2' } as never),
    ).toBe(1);
  });
});
