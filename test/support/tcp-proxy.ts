import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server, for fault injection: cut every connection and refuse new
 * ones (`down`), bring it back on the same port (`up`), or delay every chunk (`latencyMs`).
 */
export class TcpProxy {
  latencyMs = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private listenPort = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static async start(
    target: string,
    options: { port?: number; down?: boolean } = {},
  ): Promise<TcpProxy> {
    const [host, port] = splitHostPort(target);
    const proxy = new TcpProxy(host, port);
    proxy.listenPort = options.port ?? 0;
    if (options.down) {
      // Reserve a port, then release it: the proxy starts "down" on a known port.
      await proxy.up();
      await proxy.down();
    } else {
      await proxy.up();
    }
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  get address(): string {
    return `127.0.0.1:${this.listenPort}`;
  }

  async up(): Promise<void> {
    if (this.server) {
      return;
    }
    const server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') {
      this.listenPort = address.port;
    }
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.sockets.clear();
    if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  async close(): Promise<void> {
    await this.down();
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const forward = (from: Socket, to: Socket): void => {
      from.on('data', (chunk) => {
        if (this.latencyMs > 0) {
          from.pause();
          setTimeout(() => {
            to.write(chunk);
            from.resume();
          }, this.latencyMs);
        } else {
          to.write(chunk);
        }
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}

export function splitHostPort(hostPort: string): [string, number] {
  const at = hostPort.lastIndexOf(':');
  return [
    hostPort.slice(0, at).replace(/^\[|\]$/g, ''),
    Number(hostPort.slice(at + 1)),
  ];
}

/** `mongodb://127.0.0.1:27017/db` → `127.0.0.1:27017` (single-host URIs only). */
export function mongoHostPort(uri: string): string {
  const match = /^mongodb:\/\/(?:[^@/]*@)?([^/?,]+)/.exec(uri);
  if (!match) {
    throw new Error('expected a single-host mongodb:// URI');
  }
  return match[1].includes(':') ? match[1] : `${match[1]}:27017`;
}

/** Replaces the host:port of a single-host MongoDB URI. */
export function withMongoHost(uri: string, hostPort: string): string {
  return uri.replace(/^(mongodb:\/\/(?:[^@/]*@)?)([^/?,]+)/, `$1${hostPort}`);
}
