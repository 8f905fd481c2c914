import { ConnectionString } from 'mongodb-connection-string-url';
import type { EnvReader } from './env.js';

export interface MongoConfig {
  /** The bridge's own database. Never logged: it may hold a password. */
  readonly uri: string;
  /** Used when the URI names no database. */
  readonly dbName: string | undefined;
  /** Put before every collection name, so the bridge can share a database with Rocket.Chat. */
  readonly collectionPrefix: string;
  /** How long one operation waits for a reachable server before failing (driver default: 30 s). */
  readonly serverSelectionTimeoutMs: number;
  /** A socket silent this long is closed, so a hung server cannot hold a request forever. */
  readonly socketTimeoutMs: number;
  /** Upper bound of the backoff between connection attempts while the server is unreachable. */
  readonly connectRetryMaxDelayMs: number;
}

export const DEFAULT_BRIDGE_DB = 'rocketchat_bridge';

export function readMongoConfig(r: EnvReader): MongoConfig {
  const uri = r.string('MONGODB_URI', { required: true, secret: true });
  let dbName: string | undefined;
  if (uri !== undefined) {
    const parsed = parseMongoUri(uri);
    if (!parsed.ok) {
      r.fail('MONGODB_URI', parsed.rule);
    } else if (parsed.database === undefined) {
      dbName = DEFAULT_BRIDGE_DB;
    }
  }

  const collectionPrefix = r.string('MONGO_COLLECTION_PREFIX', {
    default: 'bridge_',
    pattern: /^(?!rocketchat_)(?!system\.)[A-Za-z][A-Za-z0-9_.-]{0,31}$/i,
    patternRule:
      'must be 1-32 letters, digits, _ . or -, start with a letter, and not start with rocketchat_ ' +
      'or system. (those names belong to Rocket.Chat and MongoDB)',
  });

  return {
    uri: uri ?? '',
    dbName,
    collectionPrefix,
    serverSelectionTimeoutMs: r.durationMs('MONGO_SERVER_SELECTION_TIMEOUT', {
      default: 3000,
      min: 200,
      max: 60_000,
    }),
    socketTimeoutMs: r.durationMs('MONGO_SOCKET_TIMEOUT', {
      default: 5000,
      min: 500,
      max: 300_000,
    }),
    connectRetryMaxDelayMs: r.durationMs('MONGO_CONNECT_RETRY_MAX_DELAY', {
      default: 30_000,
      min: 1000,
      max: 600_000,
    }),
  };
}

export type MongoUriCheck =
  { ok: true; database: string | undefined } | { ok: false; rule: string };

export function parseMongoUri(uri: string): MongoUriCheck {
  if (!/^mongodb(\+srv)?:\/\//.test(uri)) {
    return { ok: false, rule: 'must start with mongodb:// or mongodb+srv://' };
  }
  try {
    const cs = new ConnectionString(uri);
    const database = decodeURIComponent(cs.pathname.replace(/^\//, ''));
    if (/[/\\. "$]/.test(database)) {
      return {
        ok: false,
        rule: 'names a database with a character MongoDB forbids (/\\. "$)',
      };
    }
    return { ok: true, database: database === '' ? undefined : database };
  } catch {
    return { ok: false, rule: 'is not a valid MongoDB connection string' };
  }
}
