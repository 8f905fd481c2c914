import { isIP, connect as netConnect, type Socket } from 'node:net';
import {
  connect as tlsConnect,
  type ConnectionOptions,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls';
import { Client } from 'ldapts';
import type { LdapServerAddress } from '../../config/index.js';
import { describeLdapError, LdapUnavailableError } from './ldap-errors.js';

/** The transport settings every connection to the directory uses. */
export interface ConnectionSettings {
  readonly startTls: boolean;
  readonly caPem: string | undefined;
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
}

/** What the doctor shows about a TLS session. */
export interface TlsSummary {
  readonly protocol: string;
  readonly cipher: string;
  readonly subject: string;
  readonly issuer: string;
  readonly subjectAltName: string | undefined;
  /** ISO 8601. */
  readonly validTo: string;
  readonly fingerprint256: string;
}

/**
 * One TCP connection to one directory server, secured before anything else is sent. It never
 * reconnects: ldapts would silently open a new plain socket (no StartTLS, no bind) when an
 * operation follows a dropped connection, so the transports given to it work exactly once and a
 * dropped connection stays dropped (the pool then opens a new, secured one).
 */
export class LdapConnection {
  private plain: Socket | undefined;
  private secure: TLSSocket | undefined;
  private dropped = false;
  readonly client: Client;

  private constructor(
    readonly server: LdapServerAddress,
    private readonly settings: ConnectionSettings,
  ) {
    this.client = new Client({
      url: server.url,
      timeout: settings.timeoutMs,
      connectTimeout: settings.connectTimeoutMs,
      // ldapts treats any tlsOptions as "TLS from the first byte", so only ldaps:// gets them here.
      tlsOptions: server.scheme === 'ldaps' ? this.tlsOptions() : undefined,
      createConnection: ((...args: Parameters<typeof netConnect>) => {
        if (this.plain !== undefined) {
          throw new Error('reconnecting is not allowed');
        }
        this.plain = this.watch(netConnect(...args));
        return this.plain;
      }) as typeof netConnect,
      createSecureConnection: ((...args: Parameters<typeof tlsConnect>) => {
        if (this.secure !== undefined) {
          throw new Error('reconnecting is not allowed');
        }
        this.secure = this.watch(tlsConnect(...args));
        return this.secure;
      }) as typeof tlsConnect,
    });
  }

  /**
   * Connects and secures: `ldaps://` at once, `ldap://` with StartTLS (unless turned off, which
   * the configuration allows only for localhost or with an explicit opt-in). Throws
   * LdapUnavailableError for every failure, TLS ones included.
   */
  static async open(
    server: LdapServerAddress,
    settings: ConnectionSettings,
  ): Promise<LdapConnection> {
    const connection = new LdapConnection(server, settings);
    try {
      if (server.scheme === 'ldap' && settings.startTls) {
        await connection.startTls();
      }
      return connection;
    } catch (error) {
      connection.destroy();
      if (error instanceof LdapUnavailableError) {
        throw error;
      }
      throw new LdapUnavailableError(
        `${server.url}: ${describeLdapError(error)}`,
        { cause: error },
      );
    }
  }

  /** Open, and not dropped since. */
  get usable(): boolean {
    return !this.dropped && this.client.isConnected;
  }

  get isSecure(): boolean {
    return this.secure !== undefined;
  }

  /** The TLS session's details, once the connection is established; undefined on plain ldap. */
  tls(): TlsSummary | undefined {
    const socket = this.secure;
    if (socket === undefined || !socket.encrypted) {
      return undefined;
    }
    const cert: PeerCertificate = socket.getPeerCertificate();
    return {
      protocol: socket.getProtocol() ?? 'unknown',
      cipher: socket.getCipher()?.name ?? 'unknown',
      subject: formatName(cert.subject),
      issuer: formatName(cert.issuer),
      subjectAltName: cert.subjectaltname,
      validTo: new Date(cert.valid_to).toISOString(),
      fingerprint256: cert.fingerprint256,
    };
  }

  /** Unbinds politely (bounded), then drops the sockets whatever happened. */
  async close(): Promise<void> {
    if (this.client.isConnected) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.client.unbind().catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 1000);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    }
    this.destroy();
  }

  destroy(): void {
    this.secure?.destroy();
    this.plain?.destroy();
  }

  /**
   * ldapts (9.x) listens for the close of the socket it connected, not of the TLS socket that
   * StartTLS puts on top, so after StartTLS its isConnected stays true on a dead connection and
   * requests wait for their timeout. Watching both sockets here tells the truth.
   */
  private watch<S extends Socket>(socket: S): S {
    socket.once('close', () => {
      this.dropped = true;
    });
    return socket;
  }

  private async startTls(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const budget = this.settings.connectTimeoutMs + this.settings.timeoutMs;
    try {
      await Promise.race([
        this.client.startTLS(this.tlsOptions()).catch((error: unknown) => {
          throw this.startTlsFailure(error);
        }),
        new Promise<never>((_, reject) => {
          // ldapts bounds the connect and the StartTLS request, but not the TLS handshake.
          timer = setTimeout(
            () =>
              reject(
                new LdapUnavailableError(
                  `${this.server.url}: StartTLS did not complete in time`,
                ),
              ),
            budget,
          );
          timer.unref();
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private startTlsFailure(error: unknown): unknown {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'number') {
      return new LdapUnavailableError(
        `${this.server.url}: the server refused StartTLS (LDAP result ${code}): enable TLS on it or use ldaps://`,
        { cause: error },
      );
    }
    return error;
  }

  private tlsOptions(): ConnectionOptions {
    const { host } = this.server;
    return {
      host,
      // SNI takes host names only; the certificate is checked against `host` either way.
      servername: isIP(host) === 0 ? host : undefined,
      ca: this.settings.caPem,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    };
  }
}

function formatName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) {
    return '';
  }
  return Object.entries(name)
    .map(
      ([key, value]) =>
        `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`,
    )
    .join(', ');
}
