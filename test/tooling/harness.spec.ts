import { MongoClient } from 'mongodb';
import mongoose, { Schema } from 'mongoose';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freshDatabaseUri,
  mongoIsFerretDb,
  mongoKind,
} from '../support/mongo.js';
import { mongoHostPort, splitHostPort } from '../support/tcp-proxy.js';

// Proves the test database is a real server: what one client writes, an independent client reads;
// the server enforces indexes; and it is a process listening on a TCP port.
describe('test MongoDB harness', () => {
  const { uri, dbName } = freshDatabaseUri('harness');
  let connection: mongoose.Connection;
  let client: MongoClient;

  const Thing = new Schema({
    name: { type: String, required: true },
    size: Number,
  });
  Thing.index({ name: 1 }, { unique: true });

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(uri, {
        serverSelectionTimeoutMS: 5000,
        autoIndex: false,
      })
      .asPromise();
    client = await new MongoClient(uri, {
      serverSelectionTimeoutMS: 5000,
    }).connect();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await client.close();
  });

  it('should read back through a second, independent connection what a Mongoose model wrote', async () => {
    const model = connection.model('Thing', Thing, 'things');
    const written = await model.create({ name: 'alpha', size: 3 });

    const read = await client
      .db(dbName)
      .collection('things')
      .findOne({ _id: written._id });
    expect(read).toMatchObject({ name: 'alpha', size: 3 });
    expect(await client.db(dbName).collection('things').countDocuments()).toBe(
      1,
    );
  });

  it('should reject a duplicate through a unique index', async () => {
    const model = connection.model('Thing');
    await model.createIndexes();
    await expect(
      model.create({ name: 'alpha', size: 4 }),
    ).rejects.toMatchObject({ code: 11000 });
    await expect(
      client.db(dbName).collection('things').insertOne({ name: 'alpha' }),
    ).rejects.toMatchObject({
      code: 11000,
    });
  });

  it('should be a server process listening on a TCP port', async () => {
    const [host, port] = splitHostPort(mongoHostPort(uri));
    expect(port).toBeGreaterThan(0);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, host, () => {
        socket.end();
        resolve();
      });
      socket.once('error', reject);
    });
    const hello = await client.db('admin').command({ hello: 1 });
    expect(hello.isWritablePrimary ?? hello.ismaster).toBe(true);
    const info = await client.db('admin').command({ buildInfo: 1 });
    expect(info.version).toMatch(/^\d+\.\d+/);
    // FerretDB identifies itself in buildInfo (a stub server would not); when the harness started
    // FerretDB itself, that is what must answer.
    const reportsFerretDb = JSON.stringify(info)
      .toLowerCase()
      .includes('ferretdb');
    expect(reportsFerretDb).toBe(mongoIsFerretDb());
    expect(mongoKind() !== 'ferretdb' || reportsFerretDb).toBe(true);
  });
});
