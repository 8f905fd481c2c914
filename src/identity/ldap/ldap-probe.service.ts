import { Injectable } from '@nestjs/common';
import type { Entry } from 'ldapts';
import type { LdapServerAddress, LdapSettings } from '../../config/index.js';
import { LdapConnection, type TlsSummary } from './ldap-connection.js';
import { describeLdapError, resultCodeOf } from './ldap-errors.js';
import { LdapPool } from './ldap-pool.service.js';
import {
  probeCheck,
  serverChecks,
  type LdapProbeCheck,
} from './ldap-probe-check.js';
import {
  probeSample,
  sampleCheck,
  sampleError,
  type LdapSampleProbe,
} from './ldap-probe-sample.js';

export type { LdapSampleProbe } from './ldap-probe-sample.js';
export type { LdapProbeCheck } from './ldap-probe-check.js';

/** The server's root DSE, as far as it lets the service account read it. */
export interface RootDse {
  readonly vendor: string | undefined;
  readonly namingContexts: readonly string[];
  readonly supportedControls: readonly string[];
  readonly supportedExtensions: readonly string[];
  readonly supportedSaslMechanisms: readonly string[];
  readonly supportsStartTls: boolean;
}

export interface LdapServerProbe {
  readonly url: string;
  readonly reachable: boolean;
  /** Absent on a plain (unencrypted) connection or when unreachable. */
  readonly tls: TlsSummary | undefined;
  readonly bind: 'ok' | 'anonymous' | 'refused' | 'not-tried';
  readonly rootDse: RootDse | undefined;
  readonly searchBaseExists: boolean | undefined;
  readonly error: string | undefined;
}

/** Everything the doctor reports about the directory; `checks` are its lines. */
export interface LdapProbeReport {
  readonly servers: readonly LdapServerProbe[];
  readonly sample: LdapSampleProbe | undefined;
  readonly checks: readonly LdapProbeCheck[];
}

const START_TLS_OID = '1.3.6.1.4.1.1466.20037';

/**
 * The doctor's view of the directory: each server of LDAP_URL on its own connection (TLS
 * details, the service bind, the root DSE, the search base), then LDAP_USER_FILTER run for a
 * sample name with the groups and LDAP_REQUIRED_GROUP that would apply. Reads only.
 */
@Injectable()
export class LdapProbe {
  constructor(private readonly pool: LdapPool) {}

  async probe(sampleUsername?: string): Promise<LdapProbeReport> {
    const settings = this.pool.settings;
    const servers: LdapServerProbe[] = [];
    for (const server of settings.servers) {
      servers.push(await this.probeServer(server, settings));
    }
    const checks = servers.flatMap((s) => serverChecks(s, settings));
    let sample: LdapSampleProbe | undefined;
    if (sampleUsername === undefined || sampleUsername.trim() === '') {
      checks.push(
        probeCheck.skip(
          'ldap.user-search',
          'LDAP user search',
          'no sample user name given',
        ),
      );
    } else if (servers.some((s) => s.bind === 'ok' || s.bind === 'anonymous')) {
      sample = await this.pool
        .withServiceConnection((c) => probeSample(c, settings, sampleUsername))
        .catch((error: unknown) => sampleError(sampleUsername, error));
      checks.push(sampleCheck(sample, settings));
    } else {
      checks.push(
        probeCheck.skip(
          'ldap.user-search',
          'LDAP user search',
          'no server accepted the service bind',
        ),
      );
    }
    return { servers, sample, checks };
  }

  private async probeServer(
    server: LdapServerAddress,
    settings: LdapSettings,
  ): Promise<LdapServerProbe> {
    const result: {
      -readonly [K in keyof LdapServerProbe]: LdapServerProbe[K];
    } = {
      url: server.url,
      reachable: false,
      tls: undefined,
      bind: 'not-tried',
      rootDse: undefined,
      searchBaseExists: undefined,
      error: undefined,
    };
    let connection: LdapConnection | undefined;
    try {
      connection = await LdapConnection.open(server, settings);
      if (settings.bind) {
        try {
          await connection.client.bind(
            settings.bind.dn,
            settings.bind.password,
          );
          result.bind = 'ok';
        } catch (error) {
          if (resultCodeOf(error) === undefined) {
            throw error;
          }
          result.bind = 'refused';
          result.error = describeLdapError(error);
        }
      } else {
        result.bind = 'anonymous';
      }
      result.rootDse = await readRootDse(connection).catch((error: unknown) => {
        if (resultCodeOf(error) === undefined) {
          throw error;
        }
        return undefined;
      });
      result.reachable = true;
      result.tls = connection.tls();
      if (result.bind !== 'refused') {
        result.searchBaseExists = await baseExists(
          connection,
          settings.searchBase,
        );
      }
    } catch (error) {
      result.error = describeLdapError(error);
      result.reachable = connection?.usable ?? false;
    } finally {
      await connection?.close();
    }
    return result;
  }
}

async function readRootDse(connection: LdapConnection): Promise<RootDse> {
  const { searchEntries } = await connection.client.search('', {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: [
      'vendorName',
      'vendorVersion',
      'namingContexts',
      'supportedControl',
      'supportedExtension',
      'supportedSASLMechanisms',
    ],
  });
  const entry: Entry = searchEntries[0] ?? { dn: '' };
  const list = (name: string): string[] => {
    const value = entry[name];
    return (
      Array.isArray(value) ? value : value === undefined ? [] : [value]
    ).map(String);
  };
  const vendor = [...list('vendorName'), ...list('vendorVersion')].join(' ');
  return {
    vendor: vendor || undefined,
    namingContexts: list('namingContexts'),
    supportedControls: list('supportedControl'),
    supportedExtensions: list('supportedExtension'),
    supportedSaslMechanisms: list('supportedSASLMechanisms'),
    supportsStartTls: list('supportedExtension').includes(START_TLS_OID),
  };
}

async function baseExists(
  connection: LdapConnection,
  base: string,
): Promise<boolean> {
  try {
    await connection.client.search(base, {
      scope: 'base',
      attributes: ['1.1'],
    });
    return true;
  } catch (error) {
    if (resultCodeOf(error) === 32) {
      return false;
    }
    throw error;
  }
}
