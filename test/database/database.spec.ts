import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import { MongoClient } from 'mongodb';
import { Schema, type Model } from 'mongoose';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigModule } from '../../src/config/index.js';
import {
  DatabaseModule,
  IndexManager,
  MongoConnectionService,
  prefixedModels,
} from '../../src/database/index.js';
import {
  createTestApp,
  silentLogger,
  TEST_ENV,
  type TestApp,
} from '../support/app.js';
import { startFerretDb } from '../../tools/ferretdb/ferretdb.mjs';
import { freshDatabaseUri, mongoKind } from '../support/mongo.js';
import {
  mongoHostPort,
  TcpProxy,
  withMongoHost,
} from '../support/tcp-proxy.js';

const WidgetSchema = new Schema({
  code: { type: String, required: true },
  expiresAt: Date,
});
WidgetSchema.index({ code: 1 }, { unique: true });
WidgetSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

@Injectable()
class WidgetRepository {
  constructor(
    @InjectModel('Widget')
    readonly model: Model<{ code: string; expiresAt?: Date }>,
  ) {}
}

async function readiness(app: TestApp): Promise<number> {
  return (await app.app.inject({ method: 'GET', url: '/health/ready' }))
    .statusCode;
}

async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) {
      return Date.now() - started;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

describe('database module', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) {
      await cleanups.pop()!();
    }
  });

  async function indexesOn(uri: string): Promise<{
    indexes: IndexManager;
    repo: WidgetRepository;
  }> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          env: {
            ...TEST_ENV,
            MONGODB_URI: uri,
            MONGO_COLLECTION_PREFIX: 'tst_',
          },
        }),
        DatabaseModule,
        prefixedModels([
          { name: 'Widget', schema: WidgetSchema, collection: 'widgets' },
        ]),
      ],
      providers: [WidgetRepository],
    })
      .setLogger(silentLogger)
      .compile();
    await moduleRef.init();
    cleanups.push(() => moduleRef.close());
    await moduleRef.get(MongoConnectionService).waitUntilConnected(10_000);
    const indexes = moduleRef.get(IndexManager);
    await indexes.whenReady();
    return { indexes, repo: moduleRef.get(WidgetRepository) };
  }

  async function indexNames(uri: string, dbName: string): Promise<string[]> {
    const client = await new MongoClient(uri).connect();
    cleanups.push(() => client.close());
    return (await client.db(dbName).collection('tst_widgets').indexes()).map(
      (i) => i.name ?? '',
    );
  }

  it('should create declared indexes one by one, with the collection prefix, TTL indexes included', async () => {
    const { uri, dbName } = freshDatabaseUri('indexes');
    const { indexes, repo } = await indexesOn(uri);

    expect(repo.model.collection.collectionName).toBe('tst_widgets');
    await repo.model.create({ code: 'a' });
    await expect(repo.model.create({ code: 'a' })).rejects.toMatchObject({
      code: 11000,
    });
    const names = await indexNames(uri, dbName);
    expect(names).toContain('code_1');
    // MongoDB, and the harness's FerretDB (tools/ferretdb/ttl.go), accept TTL indexes.
    expect(indexes.ttlSupported).toBe(true);
    expect(names).toContain('expiresAt_1');
  });

  // FerretDB v1 itself refuses TTL indexes; a server that does must cost no other index.
  it.runIf(mongoKind() === 'ferretdb')(
    'should keep the other indexes where the server refuses TTL indexes',
    async () => {
      const server = await startFerretDb({
        logLevel: 'error',
        ttlIndexes: false,
      });
      cleanups.push(() => server.dispose());
      const uri = `${server.uri.replace(/\/?$/, '/')}refusing`;
      const { indexes, repo } = await indexesOn(uri);

      await repo.model.create({ code: 'a' });
      await expect(repo.model.create({ code: 'a' })).rejects.toMatchObject({
        code: 11000,
      });
      expect(indexes.ttlSupported).toBe(false);
      const names = await indexNames(uri, 'refusing');
      expect(names).toContain('code_1');
      expect(names).not.toContain('expiresAt_1');
    },
  );

  it('should start while MongoDB is unreachable, report not ready, and connect once it appears', async () => {
    const { uri } = freshDatabaseUri('late');
    const proxy = await TcpProxy.start(mongoHostPort(uri), { down: true });
    cleanups.push(() => proxy.close());
    const app = await createTestApp({
      env: {
        MONGODB_URI: withMongoHost(uri, proxy.address),
        MONGO_SERVER_SELECTION_TIMEOUT: '300ms',
      },
      waitForMongo: false,
    });
    cleanups.push(() => app.close());

    expect(
      (await app.app.inject({ method: 'GET', url: '/health/live' })).statusCode,
    ).toBe(200);
    expect(await readiness(app)).toBe(503);

    await proxy.up();
    // Backoff starts at 1 s and doubles; the third attempt comes within about 4 s.
    await eventually(async () => (await readiness(app)) === 200, 15_000);
  });

  it('should fail readiness within a bounded time during an outage and recover without a restart', async () => {
    const { uri } = freshDatabaseUri('outage');
    const proxy = await TcpProxy.start(mongoHostPort(uri));
    cleanups.push(() => proxy.close());
    const app = await createTestApp({
      env: {
        MONGODB_URI: withMongoHost(uri, proxy.address),
        MONGO_SERVER_SELECTION_TIMEOUT: '1s',
      },
    });
    cleanups.push(() => app.close());
    expect(await readiness(app)).toBe(200);

    await proxy.down();
    const started = Date.now();
    expect(await readiness(app)).toBe(503);
    expect(Date.now() - started).toBeLessThan(3000);

    await proxy.up();
    await eventually(async () => (await readiness(app)) === 200, 15_000);
  });
});
