import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFerretDb,
  type FerretDbServer,
} from '../../tools/ferretdb/ferretdb.mjs';
import { freshDatabaseUri, mongoKind } from '../support/mongo.js';

type Expiring = { _id: string; expiresAt?: unknown };

async function ttlOf(
  db: Db,
  collection: string,
  name: string,
): Promise<unknown> {
  const index = (await db.collection(collection).indexes()).find(
    (i) => i.name === name,
  );
  return index?.expireAfterSeconds;
}

// The product expires documents with TTL indexes, as MongoDB is meant to be used. FerretDB v1
// refuses them; the harness's wrapper accepts them and runs mongod's TTL monitor itself.
describe('test MongoDB harness: TTL indexes', () => {
  const { uri, dbName } = freshDatabaseUri('ttl');
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await new MongoClient(uri, {
      serverSelectionTimeoutMS: 5000,
    }).connect();
    db = client.db(dbName);
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('should accept a TTL index, show it, and refuse to redefine it by createIndex', async () => {
    const things = db.collection<Expiring>('things');
    const options = { name: 'expiresAt_ttl', expireAfterSeconds: 3600 };
    await things.createIndex({ expiresAt: 1 }, options);
    // The same definition again is a no-op, as on MongoDB.
    await things.createIndex({ expiresAt: 1 }, options);
    expect(await ttlOf(db, 'things', 'expiresAt_ttl')).toBe(3600);

    await expect(
      things.createIndex(
        { expiresAt: 1 },
        { ...options, expireAfterSeconds: 60 },
      ),
    ).rejects.toMatchObject({ code: 85 });
    await expect(
      things.createIndex({ _id: 1 }, { expireAfterSeconds: 60 }),
    ).rejects.toMatchObject({ code: 197 });
  });

  it('should change expireAfterSeconds through collMod and forget it with the index', async () => {
    const things = db.collection<Expiring>('modded');
    await things.createIndex(
      { expiresAt: 1 },
      { name: 'exp', expireAfterSeconds: 3600 },
    );
    const result = await db.command({
      collMod: 'modded',
      index: { keyPattern: { expiresAt: 1 }, expireAfterSeconds: 60 },
    });
    expect(result).toMatchObject({
      expireAfterSeconds_old: 3600,
      expireAfterSeconds_new: 60,
    });
    expect(await ttlOf(db, 'modded', 'exp')).toBe(60);

    await things.dropIndex('exp');
    await things.createIndex({ expiresAt: 1 }, { name: 'exp' });
    expect(await ttlOf(db, 'modded', 'exp')).toBeUndefined();
  });
});

// mongod's TTL monitor runs every 60 s and its period is a start-up parameter, so the deletions
// are checked on a FerretDB of this test's own, started with a 1 s period.
describe.runIf(mongoKind() === 'ferretdb')(
  'test MongoDB harness: TTL monitor',
  () => {
    let server: FerretDbServer;
    let client: MongoClient;

    beforeAll(async () => {
      server = await startFerretDb({
        logLevel: 'error',
        ttlMonitorSleepSecs: 1,
      });
      client = await new MongoClient(server.uri, {
        serverSelectionTimeoutMS: 5000,
      }).connect();
    });

    afterAll(async () => {
      await client?.close();
      await server?.dispose();
    });

    it('should delete documents whose indexed date has passed, and only those, also after a restart', async () => {
      const past = new Date(Date.now() - 60_000);
      const future = new Date(Date.now() + 3_600_000);
      const things = client.db('monitor').collection<Expiring>('things');
      await things.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
      await things.insertMany([
        { _id: 'past', expiresAt: past },
        { _id: 'past-in-array', expiresAt: [future, past] },
        { _id: 'future', expiresAt: future },
        { _id: 'not-a-date', expiresAt: past.toISOString() },
        { _id: 'no-field' },
      ]);
      const remaining = async (): Promise<string[]> =>
        (await things.find({}, { sort: { _id: 1 } }).toArray()).map(
          (d) => d._id,
        );
      await expect
        .poll(remaining, { timeout: 10_000 })
        .toEqual(['future', 'no-field', 'not-a-date']);

      // The TTL definitions live beside the data: a restarted server keeps expiring.
      await client.close();
      await server.stop();
      await server.restart();
      client = await new MongoClient(server.uri, {
        serverSelectionTimeoutMS: 5000,
      }).connect();
      const again = client.db('monitor').collection<Expiring>('things');
      expect(await ttlOf(client.db('monitor'), 'things', 'expiresAt_1')).toBe(
        0,
      );
      await again.insertOne({ _id: 'late', expiresAt: past });
      await expect
        .poll(async () => (await again.findOne({ _id: 'late' })) === null, {
          timeout: 10_000,
        })
        .toBe(true);
    });

    it("should forget a dropped database's TTL indexes", async () => {
      const db = client.db('dropped');
      await db
        .collection('c')
        .createIndex({ at: 1 }, { expireAfterSeconds: 0 });
      await db.dropDatabase();
      await db.collection('c').createIndex({ at: 1 });
      expect(await ttlOf(db, 'c', 'at_1')).toBeUndefined();
      await db.collection('c').insertOne({ at: new Date(0) });
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(await db.collection('c').countDocuments()).toBe(1);
    });

    it('should refuse TTL indexes, as FerretDB does, when started with ttlIndexes: false', async () => {
      const refusing = await startFerretDb({
        logLevel: 'error',
        ttlIndexes: false,
      });
      const other = await new MongoClient(refusing.uri).connect();
      try {
        await expect(
          other
            .db('x')
            .collection('c')
            .createIndex({ at: 1 }, { expireAfterSeconds: 0 }),
        ).rejects.toMatchObject({ code: 238 });
      } finally {
        await other.close();
        await refusing.dispose();
      }
    });
  },
);
