import { Logger } from '@nestjs/common';
import type { LdapServerAddress } from '../../config/index.js';
import { LdapConnection, type ConnectionSettings } from './ldap-connection.js';
import {
  describeLdapError,
  isServerUnavailableCode,
  LdapConfigurationError,
  LdapUnavailableError,
  resultCodeOf,
} from './ldap-errors.js';

/** How long a failed server is tried after the others (never skipped: it may be the only one back). */
const DOWN_FOR_MS = 10_000;

/**
 * Failover order over LDAP_URL's servers. A server that just failed goes to the end of the order
 * for a few seconds, so logins do not each wait for its timeout while another server answers; it
 * is still tried when every server is down, so sign-in recovers as soon as any one returns.
 */
export class ServerHealth {
  private readonly logger = new Logger('LdapServers');
  private readonly downUntil = new Map<string, number>();

  constructor(
    private readonly servers: readonly LdapServerAddress[],
    private readonly now: () => number = Date.now,
  ) {}

  /** Healthy servers in configured order (`preferred` first), then the failed ones. */
  order(preferred?: string): LdapServerAddress[] {
    const now = this.now();
    const isDown = (s: LdapServerAddress): boolean =>
      (this.downUntil.get(s.url) ?? 0) > now;
    const ranked = [...this.servers].sort((a, b) => {
      if (isDown(a) !== isDown(b)) {
        return isDown(a) ? 1 : -1;
      }
      return Number(b.url === preferred) - Number(a.url === preferred);
    });
    return ranked;
  }

  markDown(server: LdapServerAddress, detail: string): void {
    if (!this.downUntil.has(server.url)) {
      this.logger.warn(`Directory server ${server.url} failed: ${detail}`);
    }
    this.downUntil.set(server.url, this.now() + DOWN_FOR_MS);
  }

  markUp(server: LdapServerAddress): void {
    if (this.downUntil.delete(server.url)) {
      this.logger.log(`Directory server ${server.url} answers again`);
    }
  }
}

/** Whether an error means "this server cannot serve now" (try another) rather than an answer. */
export function isServerFailure(error: unknown): boolean {
  if (error instanceof LdapUnavailableError) {
    return true;
  }
  if (error instanceof LdapConfigurationError) {
    return false;
  }
  const code = resultCodeOf(error);
  return code === undefined || isServerUnavailableCode(code);
}

/**
 * Opens a secured connection to the first server that works, in failover order, and runs
 * `prepare` on it (a bind). A server failure moves on to the next server; an LDAP answer from
 * `prepare` (a refused bind) is thrown as is. All servers failing gives LdapUnavailableError.
 */
export async function connectToAny(
  health: ServerHealth,
  settings: ConnectionSettings,
  prepare: (connection: LdapConnection) => Promise<void>,
  preferred?: string,
): Promise<LdapConnection> {
  const failures: string[] = [];
  let lastError: unknown;
  for (const server of health.order(preferred)) {
    let connection: LdapConnection | undefined;
    try {
      connection = await LdapConnection.open(server, settings);
      await prepare(connection);
      health.markUp(server);
      return connection;
    } catch (error) {
      connection?.destroy();
      if (!isServerFailure(error)) {
        throw error;
      }
      const detail = describeLdapError(error);
      health.markDown(server, detail);
      failures.push(`${server.url}: ${detail}`);
      lastError = error;
    }
  }
  throw new LdapUnavailableError(
    failures.join('; ') || 'no server configured',
    {
      cause: lastError,
    },
  );
}
