import type { TestProject } from 'vitest/node';
import { startTestMongoServer } from './mongo-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    mongoKind: string;
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
  return async () => {
    await server.stop();
  };
}
