import { type DynamicModule, Module } from '@nestjs/common';
import type { ConfigSubset } from '../config/index.js';
import { LdapModule, OidcModule } from '../identity/index.js';
import { RocketChatClientModule } from '../rocketchat/index.js';
import { BridgeTokenCheck } from './checks/bridge-token.check.js';
import { CreateTokenCheck } from './checks/create-token.check.js';
import { LdapChecks } from './checks/ldap.checks.js';
import { MongoDbCheck } from './checks/mongodb.check.js';
import { PermissionsCheck } from './checks/permissions.check.js';
import { RocketChatServerCheck } from './checks/rocketchat-server.check.js';
import { RocketChatSettingsCheck } from './checks/rocketchat-settings.check.js';
import { RocketChatChecks } from './checks/rocketchat.checks.js';
import { DoctorService } from './doctor.service.js';

/** `rc-bridge doctor`: the checks, run from the CLI against the real MongoDB and Rocket.Chat. */
@Module({
  imports: [RocketChatClientModule, LdapModule],
  providers: [
    MongoDbCheck,
    RocketChatServerCheck,
    BridgeTokenCheck,
    PermissionsCheck,
    CreateTokenCheck,
    RocketChatSettingsCheck,
    RocketChatChecks,
    LdapChecks,
    DoctorService,
  ],
  exports: [DoctorService],
})
export class DoctorModule {
  /** With OpenID providers configured, their probes too (OidcModule only then). */
  static forRoot(config: ConfigSubset): DynamicModule {
    return config.oidc && config.oidc.providers.length > 0
      ? { module: DoctorModule, imports: [OidcModule] }
      : { module: DoctorModule };
  }
}
