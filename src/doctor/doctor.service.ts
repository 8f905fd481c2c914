import { Injectable, Optional } from '@nestjs/common';
import {
  InjectConfig,
  type AppConfig,
  type RocketChatConfig,
  type SessionConfig,
} from '../config/index.js';
import { OidcDoctorProbes } from '../identity/index.js';
import { corsFramingChecks } from './checks/cors-framing.check.js';
import { LdapChecks } from './checks/ldap.checks.js';
import { MongoDbCheck } from './checks/mongodb.check.js';
import { RocketChatChecks } from './checks/rocketchat.checks.js';
import { sameSiteCheck } from './checks/same-site.check.js';
import { ok, type CheckResult } from './doctor-check.js';

export interface DoctorOptions {
  /** Set Rocket.Chat's Accounts_iframe_* settings to this bridge's URLs where they differ. */
  readonly fix: boolean;
  /** A name to run LDAP_USER_FILTER for (`--ldap-user`). */
  readonly ldapUser?: string;
}

/** Runs every check in order; later checks use what earlier ones found, or say why they skip. */
@Injectable()
export class DoctorService {
  constructor(
    @InjectConfig('app') private readonly app: AppConfig,
    @InjectConfig('session') private readonly session: SessionConfig,
    @InjectConfig('rocketchat') private readonly rocketchat: RocketChatConfig,
    private readonly mongodb: MongoDbCheck,
    private readonly rocketchatChecks: RocketChatChecks,
    private readonly ldapChecks: LdapChecks,
    /** Present when OpenID providers are configured (DoctorModule.forRoot). */
    @Optional() private readonly oidc?: OidcDoctorProbes,
  ) {}

  async run(options: DoctorOptions): Promise<CheckResult[]> {
    const results: CheckResult[] = [configOk(this.app, this.rocketchat)];
    results.push(await this.mongodb.run());
    const found = await this.rocketchatChecks.run(options.fix);
    results.push(
      ...found.results,
      ...(await corsFramingChecks(this.app, this.rocketchat, {
        siteUrl: found.siteUrl,
        apiMethod: found.apiMethod,
      })),
      sameSiteCheck(this.app, this.rocketchat, this.session),
      // Per OpenID provider: discovery, client credentials, the URIs to register, clock skew.
      ...((await this.oidc?.probeAll()) ?? []),
      ...(await this.ldapChecks.run(options.ldapUser)),
    );
    return results;
  }
}

function configOk(app: AppConfig, rocketchat: RocketChatConfig): CheckResult {
  return ok(
    'config',
    'Configuration',
    `valid: PUBLIC_URL ${app.publicUrl}, ROCKETCHAT_URL ${rocketchat.url}`,
  );
}
