export { AccountsModule, SourceRecheckModule } from './accounts.module.js';
export {
  SourceRecheck,
  type RecheckReport,
  type RecheckStatus,
} from './source-recheck.service.js';
export { RECHECK_RETRY_MS, SourceRecheckTask } from './source-recheck.task.js';
export {
  usersSyncCommandGroup,
  usersTestLoginCommandGroup,
} from './cli/accounts.commands.js';
