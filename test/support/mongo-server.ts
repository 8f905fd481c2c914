import { startFerretDb } from '../../tools/ferretdb/ferretdb.mjs';

export type MongoServerKind = 'external' | 'mongodb-memory-server' | 'ferretdb';

export interface TestMongoServer {
  readonly kind: MongoServerKind;
  /** Server URI without a database name. */
  readonly uri: string;
  stop(): Promise<void>;
}

type Log = (line: string) => void;

/**
 * The real MongoDB wire-protocol server the tests use: MONGODB_URI if set; otherwise FerretDB v1
 * (SQLite) behind the harness's wrapper, built from the Go module proxy. A mongod from
 * mongodb-memory-server is opt-in, so that a default run makes no network call:
 * TEST_MONGO=mongodb-memory-server requires it, TEST_MONGO=auto uses it when its binary is cached
 * or downloadable (checked in about a second) and FerretDB otherwise. See docs/testing.md.
 */
export async function startTestMongoServer(log: Log): Promise<TestMongoServer> {
  const external = process.env.MONGODB_URI;
  if (external) {
    log(`using MongoDB from MONGODB_URI`);
    return {
      kind: 'external',
      uri: stripDatabase(external),
      stop: () => Promise.resolve(),
    };
  }
  const choice = process.env.TEST_MONGO || 'ferretdb';
  if (!['ferretdb', 'auto', 'mongodb-memory-server'].includes(choice)) {
    throw new Error(
      'TEST_MONGO must be ferretdb (the default), auto or mongodb-memory-server',
    );
  }
  if (choice !== 'ferretdb') {
    const mongod = await tryMongoMemoryServer(
      log,
      choice === 'mongodb-memory-server',
    );
    if (mongod) {
      return mongod;
    }
  }
  const ferret = await startFerretDb({ logLevel: 'error' });
  log(`using FerretDB v1 (SQLite) at ${ferret.uri}, pid ${ferret.pid}`);
  return { kind: 'ferretdb', uri: ferret.uri, stop: () => ferret.dispose() };
}

async function tryMongoMemoryServer(
  log: Log,
  required: boolean,
): Promise<TestMongoServer | undefined> {
  try {
    const { DryMongoBinary, MongoMemoryServer } =
      await import('mongodb-memory-server-core');
    const options = await DryMongoBinary.generateOptions();
    const cached = await DryMongoBinary.locateBinary(options);
    if (!cached) {
      const url = await downloadUrl(options);
      if (!(await reachable(url, 1500))) {
        if (required) {
          throw new Error(
            `no cached mongod binary and ${new URL(url).host} is unreachable`,
          );
        }
        log(
          'no mongod binary cached and none downloadable here; falling back to FerretDB',
        );
        return undefined;
      }
    }
    const server = await MongoMemoryServer.create();
    log(`using mongod ${options.version} from mongodb-memory-server`);
    return {
      kind: 'mongodb-memory-server',
      uri: server.getUri(),
      stop: async () => {
        await server.stop();
      },
    };
  } catch (error) {
    if (required) {
      throw error;
    }
    log(
      `mongodb-memory-server unavailable (${error instanceof Error ? error.message : String(error)})`,
    );
    return undefined;
  }
}

async function downloadUrl(options: {
  version: string;
  platform: string;
  arch: string;
  os?: unknown;
}): Promise<string> {
  try {
    const mod =
      (await import('mongodb-memory-server-core/lib/util/MongoBinaryDownloadUrl.js')) as unknown as {
        MongoBinaryDownloadUrl: new (o: typeof options) => {
          getDownloadUrl(): Promise<string>;
        };
      };
    return await new mod.MongoBinaryDownloadUrl(options).getDownloadUrl();
  } catch {
    return process.env.MONGOMS_DOWNLOAD_URL ?? 'https://fastdl.mongodb.org/';
  }
}

async function reachable(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'HEAD',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return response.status < 500;
  } catch {
    return false;
  }
}

/** `mongodb://h:1/db?x=1` → `mongodb://h:1/?x=1`: tests add their own database names. */
export function stripDatabase(uri: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!match) {
    return uri;
  }
  return `${match[1]}/${match[3] ?? ''}`;
}
