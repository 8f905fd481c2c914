import {
  startFerretDb,
  type FerretDbServer,
} from '../../tools/ferretdb/ferretdb.mjs';
import { freshDatabaseUri, mongoKind } from '../support/mongo.js';
import {
  mongoHostPort,
  TcpProxy,
  withMongoHost,
} from '../support/tcp-proxy.js';

/**
 * A MongoDB the test can take away, bring back and slow down. When the run uses FerretDB, the
 * suite gets a server process of its own, really killed and restarted on the same port and
 * data; otherwise (an external MONGODB_URI, mongodb-memory-server) the run's server stays up and
 * a TCP proxy in front of it cuts every connection and refuses new ones. Either way the bridge
 * connects through a proxy, which can also delay every chunk (a slow server or network).
 */
export interface MongoSwitch {
  /** A fresh database, reached through the proxy. */
  readonly uri: string;
  /** `process`: the server itself is killed; `proxy`: the path to it is cut. */
  readonly kind: 'process' | 'proxy';
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Delays every chunk by `ms` (0: full speed again). */
  slow(ms: number): void;
  close(): Promise<void>;
}

export async function startMongoSwitch(label: string): Promise<MongoSwitch> {
  if (mongoKind() === 'ferretdb') {
    const server: FerretDbServer = await startFerretDb({ logLevel: 'error' });
    const direct = `${server.uri.replace(/\/?$/, '/')}${label}`;
    const proxy = await TcpProxy.start(mongoHostPort(direct));
    return {
      uri: withMongoHost(direct, proxy.address),
      kind: 'process',
      // Killed, not asked to stop: a crash, and no graceful wait for open connections.
      stop: () => server.stop('SIGKILL'),
      start: async () => {
        await server.restart();
      },
      slow: (ms) => {
        proxy.latencyMs = ms;
      },
      close: async () => {
        await proxy.close();
        await server.dispose();
      },
    };
  }
  const { uri } = freshDatabaseUri(label);
  const proxy = await TcpProxy.start(mongoHostPort(uri));
  return {
    uri: withMongoHost(uri, proxy.address),
    kind: 'proxy',
    stop: () => proxy.down(),
    start: () => proxy.up(),
    slow: (ms) => {
      proxy.latencyMs = ms;
    },
    close: () => proxy.close(),
  };
}
