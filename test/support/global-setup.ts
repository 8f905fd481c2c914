import { MongoClient } from 'mongodb';
import type { TestProject } from 'vitest/node';
import { startTestMongoServer } from './mongo-server.js';
import { missingPrerequisites, thisMachine } from './prerequisites.js';

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
  // What this machine lacks, said once and first, not as failures deep inside tests.
  const missing = await missingPrerequisites(thisMachine());
  for (const { line } of missing) {
    process.stderr.write(`[prerequisites] missing: ${line}\n`);
  }
  if (missing.some((m) => m.fatal)) {
    throw new Error(
      'Not running the tests: a prerequisite every test needs is missing (see the [prerequisites] lines above)',
    );
  }
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
