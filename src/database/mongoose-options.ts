import type { ConnectOptions } from 'mongoose';
import type { MongoConfig } from '../config/index.js';

/** Options for every (re)connection of the bridge's connection. */
export function mongooseOptions(mongo: MongoConfig): ConnectOptions {
  return {
    dbName: mongo.dbName,
    appName: 'rocketchat-identity-bridge',
    serverSelectionTimeoutMS: mongo.serverSelectionTimeoutMs,
    socketTimeoutMS: mongo.socketTimeoutMs,
    // Fail fast instead of queueing while disconnected: a login must not wait 10 s for a buffer.
    bufferCommands: false,
    // Indexes are created one by one by IndexManager, so one refused option (FerretDB has no TTL)
    // cannot stop the others.
    autoIndex: false,
    autoCreate: false,
    // Command events time every operation for rcbridge_mongodb_command_duration_seconds.
    monitorCommands: true,
  };
}
