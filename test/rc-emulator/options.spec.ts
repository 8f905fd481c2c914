import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  TcpProxy,
  mongoHostPort,
  withMongoHost,
} from '../support/tcp-proxy.js';
import { startRocketChatEmulator, type RocketChatEmulator } from './index.js';
import { RcClient, asCredentials } from './test-helpers.js';

describe('rc-emulator: start options', () => {
  let emu: RocketChatEmulator;
  let rc: RcClient;
  let uri: string;

  beforeAll(async () => {
    uri = freshDatabaseUri('rcemu_opts').uri;
    emu = await startRocketChatEmulator({
      mongoUri: uri,
      host: 'localhost',
      version: '7.x',
      settings: { Accounts_LoginExpiration: 1, Accounts_iframe_enabled: true },
      env: { CREATE_TOKENS_FOR_USERS: 'true' },
      rateLimit: { calls: 3 },
      seedUsers: [
        { username: 'seed-admin', roles: ['admin'], pat: true },
        { username: 'seed-user', resumeToken: true },
      ],
    });
    rc = new RcClient(emu.url);
  });

  afterAll(async () => {
    await emu.close();
  });

  it('should listen on the requested host and expose url, origin and port', async () => {
    expect(emu.url).toBe(`http://localhost:${emu.port}`);
    expect(emu.origin).toBe(emu.url);
    const info = await rc.get('/api/info');
    expect(info.body).toEqual({ version: '7.10', success: true });
    expect(info.headers.get('content-type')).toBe('application/json');
    expect(info.headers.get('cache-control')).toBe('no-store');
  });

  it('should seed users, apply settings, env flags and rate-limit options', async () => {
    const [admin, user] = emu.seeded;
    expect(admin).toMatchObject({
      username: 'seed-admin',
      pat: expect.any(String),
    });
    expect(user).toMatchObject({
      username: 'seed-user',
      resumeToken: expect.any(String),
    });
    expect(emu.control.getSetting('Accounts_LoginExpiration')).toBe(1);
    expect(emu.control.getSetting('Accounts_iframe_enabled')).toBe(true);
    const token = await rc.post(
      '/api/v1/users.createToken',
      { username: 'seed-user' },
      { auth: asCredentials(admin) },
    );
    expect(token.status).toBe(200);
    const auth = { userId: user.userId, token: user.resumeToken as string };
    const statuses = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await rc.get('/api/v1/me', { auth })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('should answer OPTIONS on API paths with 200 OK like Rocket.Chat', async () => {
    const answer = await rc.request('OPTIONS', '/api/v1/me');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('OK');
  });

  it('should keep users in the Mongo database given, readable by another client', async () => {
    const mongo = await new MongoClient(uri).connect();
    try {
      const names = await mongo
        .db()
        .collection('users')
        .find({}, { projection: { username: 1 } })
        .map((u) => u.username as string)
        .toArray();
      expect(names.sort()).toEqual(['seed-admin', 'seed-user']);
    } finally {
      await mongo.close();
    }
  });
});

describe('rc-emulator: MongoDB outage', () => {
  it('should answer 500 with the Rocket.Chat internal-error body while MongoDB is unreachable', async () => {
    const { uri } = freshDatabaseUri('rcemu_outage');
    const proxy = await TcpProxy.start(mongoHostPort(uri));
    const emu = await startRocketChatEmulator({
      mongoUri: `${withMongoHost(uri, proxy.address)}${uri.includes('?') ? '&' : '?'}serverSelectionTimeoutMS=500`,
    });
    try {
      const rc = new RcClient(emu.url);
      const admin = await emu.control.createAdmin();
      expect(
        (await rc.get('/api/v1/me', { auth: asCredentials(admin) })).status,
      ).toBe(200);
      await proxy.down();
      const down = await rc.get('/api/v1/me', { auth: asCredentials(admin) });
      expect(down.status).toBe(500);
      expect(down.body).toEqual({
        success: false,
        error: 'Internal server error',
      });
      expect(emu.control.calls({ route: 'me', status: 500 })).toHaveLength(1);
      await proxy.up();
      await expect
        .poll(
          async () =>
            (await rc.get('/api/v1/me', { auth: asCredentials(admin) })).status,
          { timeout: 10_000 },
        )
        .toBe(200);
    } finally {
      await emu.close();
      await proxy.close();
    }
  });
});
