import type { ConnectOptions } from 'mongoose';
import type { MongoConfig } from '../config/index.js';

/** Options for every (re)connection of the bridge's connection. */
export function mongooseOptions(mongo: MongoConfig): ConnectOptions {
  return {
    dbName: mongo.dbName,
    appName: 'rocketchat-identity-bridge',
    serverSelectionTimeoutMS: mongo.serverSelectionTimeoutMs,
    socketTimeoutMS: mongo.socketTimeoutMs,
    // A new connection (the driver's monitor's too) that is not open and answering within this is
    // given up: with the 30 s default a monitor stuck on a half-dead connection kept the bridge
    // "disconnected" for half a minute after MongoDB was back.
    connectTimeoutMS: Math.max(2000, mongo.serverSelectionTimeoutMs),
    // While nothing selects a server (requests fail fast when disconnected), this is how soon a
    // MongoDB that came back is noticed; the default is 10 s.
    heartbeatFrequencyMS: 2000,
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
