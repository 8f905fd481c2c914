import { MongoClient } from 'mongodb';
import type { TestProject } from 'vitest/node';
import { startTestMongoServer } from './mongo-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    mongoKind: string;
    /** Asked from the server (buildInfo), so it is right for an external MONGODB_URI too. */
    mongoIsFerretDb: boolean;
  }
}

/** Starts one MongoDB-compatible server for the whole run; each test file uses its own database. */
export default async function setup(
  project: TestProject,
): Promise<() => Promise<void>> {
  const log = (line: string): void => {
    process.stderr.write(`[test-mongo] ${line}\n`);
  };
  const server = await startTestMongoServer(log);
  project.provide('mongoUri', server.uri);
  project.provide('mongoKind', server.kind);
  project.provide('mongoIsFerretDb', await isFerretDb(server.uri));
  return async () => {
    await server.stop();
  };
}

async function isFerretDb(uri: string): Promise<boolean> {
  const client = await new MongoClient(uri, {
    serverSelectionTimeoutMS: 10_000,
  }).connect();
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return JSON.stringify(info).toLowerCase().includes('ferretdb');
  } finally {
    await client.close();
  }
}
