import { MongoClient, MongoServerError, type Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUri } from '../support/mongo.js';

// MongoDB applies each write to one document atomically, whatever connection it arrives on. The
// product counts, claims and upserts on that promise, so the test server must keep it: these run
// on every server the harness can use (FerretDB through tools/ferretdb's serialising front).
describe('test MongoDB harness: single-document atomicity', () => {
  const { uri, dbName } = freshDatabaseUri('atomic');
  // Several clients, each with its own pool: commands arrive on many connections at once.
  const clients: MongoClient[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 4; i += 1) {
      clients.push(
        await new MongoClient(uri, {
          serverSelectionTimeoutMS: 5000,
        }).connect(),
      );
    }
  });

  afterAll(async () => {
    await clients[0]?.db(dbName).dropDatabase();
    await Promise.all(clients.map((client) => client.close()));
  });

  /** The same collection, as seen by caller `i` (round-robin over the clients). */
  function collection<T extends object>(
    name: string,
    i: number,
  ): Collection<T> {
    return clients[i % clients.length].db(dbName).collection<T>(name);
  }

  function parallel<R>(
    n: number,
    call: (i: number) => Promise<R>,
  ): Promise<R[]> {
    return Promise.all(Array.from({ length: n }, (_, i) => call(i)));
  }

  it('should end at 50 after 50 parallel $inc of one document', async () => {
    type Counter = { _id: string; n: number };
    await collection<Counter>('counters', 0).insertOne({ _id: 'c', n: 0 });
    await parallel(50, (i) =>
      collection<Counter>('counters', i).updateOne(
        { _id: 'c' },
        { $inc: { n: 1 } },
      ),
    );
    const doc = await collection<Counter>('counters', 0).findOne({ _id: 'c' });
    expect(doc?.n).toBe(50);
  });

  it('should count every increment of four parallel unordered bulk writes', async () => {
    type Counter = { _id: string; n: number };
    await collection<Counter>('bulk', 0).insertOne({ _id: 'b', n: 0 });
    const increments = Array.from({ length: 25 }, () => ({
      updateOne: { filter: { _id: 'b' }, update: { $inc: { n: 1 } } },
    }));
    await parallel(4, (i) =>
      collection<Counter>('bulk', i).bulkWrite(increments, { ordered: false }),
    );
    const doc = await collection<Counter>('bulk', 0).findOne({ _id: 'b' });
    expect(doc?.n).toBe(100);
  });

  it('should apply every unacknowledged (w: 0) increment', async () => {
    type Counter = { _id: string; n: number };
    await collection<Counter>('unacknowledged', 0).insertOne({
      _id: 'u',
      n: 0,
    });
    await parallel(20, (i) =>
      collection<Counter>('unacknowledged', i).updateOne(
        { _id: 'u' },
        { $inc: { n: 1 } },
        { writeConcern: { w: 0 } },
      ),
    );
    // Nothing is acknowledged: wait until the server has applied them all.
    await expect
      .poll(
        async () =>
          (await collection<Counter>('unacknowledged', 0).findOne({ _id: 'u' }))
            ?.n,
      )
      .toBe(20);
  });

  it('should leave one document and no error after 20 parallel upserts on one unique key', async () => {
    type Hit = { key: string; hits: number; first: number };
    await collection<Hit>('hits', 0).createIndex({ key: 1 }, { unique: true });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        collection<Hit>('hits', i).updateOne(
          { key: 'k' },
          { $inc: { hits: 1 }, $setOnInsert: { first: i } },
          { upsert: true },
        ),
      ),
    );
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.map((r) => (r.reason as MongoServerError).message)).toEqual(
      [],
    );
    const docs = await collection<Hit>('hits', 0).find({ key: 'k' }).toArray();
    expect(docs).toHaveLength(1);
    expect(docs[0]?.hits).toBe(20);
    const upserts = results.filter(
      (r) => r.status === 'fulfilled' && r.value.upsertedCount === 1,
    );
    expect(upserts).toHaveLength(1);
  });

  it('should give each {lease: 0} claim made by 4 parallel findOneAndUpdate calls exactly one winner', async () => {
    type Job = { _id: number; lease: number };
    const jobs = collection<Job>('jobs', 0);
    // Several rounds: a race that is lost only sometimes must still show.
    const rounds = 10;
    await jobs.insertMany(
      Array.from({ length: rounds }, (_, r) => ({ _id: r, lease: 0 })),
    );
    for (let round = 0; round < rounds; round += 1) {
      const claims = await parallel(4, (n) =>
        collection<Job>('jobs', n).findOneAndUpdate(
          { _id: round, lease: 0 },
          { $set: { lease: n + 1 } },
          { returnDocument: 'after' },
        ),
      );
      const winners = claims.filter((doc) => doc !== null);
      expect(winners, `round ${round}`).toHaveLength(1);
      const stored = await jobs.findOne({ _id: round });
      expect(stored?.lease).toBe(winners[0]?.lease);
    }
  });

  it('should let one of 10 parallel conditional updateOne calls modify the document', async () => {
    type Doc = { _id: string; version: number; by?: number };
    const rounds = 5;
    for (let round = 0; round < rounds; round += 1) {
      const id = `v${round}`;
      await collection<Doc>('versions', 0).insertOne({ _id: id, version: 0 });
      const results = await parallel(10, (n) =>
        collection<Doc>('versions', n).updateOne(
          { _id: id, version: 0 },
          { $set: { version: 1, by: n } },
        ),
      );
      const modified = results.reduce((sum, r) => sum + r.modifiedCount, 0);
      expect(modified, `round ${round}`).toBe(1);
    }
  });
});
