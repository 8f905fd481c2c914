import { Module } from '@nestjs/common';
import { prefixedModels } from '../../database/index.js';
import { ClockModule } from '../../common/index.js';
import { RocketChatClientModule } from '../client/rocketchat-client.module.js';
import { GroupApplier } from './group-applier.service.js';
import { GroupChanges } from './group-changes.service.js';
import { GroupGrantsRepository } from './group-grants.repository.js';
import {
  GROUP_GRANTS_COLLECTION,
  GROUP_GRANTS_MODEL,
  GroupGrantsSchema,
} from './group-grants.schema.js';
import { GroupStateReader } from './group-state-reader.service.js';
import { GroupSync } from './group-sync.service.js';
import { RoleCatalog } from './role-catalog.service.js';

/**
 * Groups to Rocket.Chat roles, rooms and teams (GROUP_MAPPINGS). Exports GroupSync only; needs
 * the `groupMapping` and `rocketchat` configuration, MongoDB and the (global) audit trail.
 */
@Module({
  imports: [
    ClockModule,
    RocketChatClientModule,
    prefixedModels([
      {
        name: GROUP_GRANTS_MODEL,
        schema: GroupGrantsSchema,
        collection: GROUP_GRANTS_COLLECTION,
      },
    ]),
  ],
  providers: [
    GroupGrantsRepository,
    RoleCatalog,
    GroupStateReader,
    GroupChanges,
    GroupApplier,
    GroupSync,
  ],
  exports: [GroupSync],
})
export class GroupSyncModule {}
