export { GroupSyncModule } from './group-sync.module.js';
export { evaluateGroupMappings, GroupSync } from './group-sync.service.js';
export { groupKey, normaliseDn, sameGroup } from './group-names.js';
export type {
  GroupEvaluation,
  GroupSyncFailure,
  GroupSyncOutcome,
  GroupSyncPlan,
  GroupSyncRequest,
  GroupTarget,
  GroupWithdrawRequest,
  WantedTarget,
} from './group-sync.types.js';
