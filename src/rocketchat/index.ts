export { RocketChatClientModule } from './client/rocketchat-client.module.js';
export { RocketChatModule } from './rocketchat.module.js';
export { AdminCredentials } from './client/admin-credentials.service.js';
export {
  RocketChatHttp,
  type RocketChatAuth,
} from './client/rocketchat-http.service.js';
export {
  RocketChatAuthError,
  RocketChatRequestError,
  RocketChatTwoFactorError,
  RocketChatUnavailableError,
  isCredentialsRefused,
  isRefusedWith,
} from './client/rocketchat.errors.js';
export { RocketChatApi } from './client/rocketchat-api.service.js';
export { CreateTokens } from './client/create-token.service.js';
export {
  issue40598Status,
  type Issue40598Status,
} from './client/issue-40598.js';
export { TokenHandOff } from './tokens/token-handoff.service.js';
export {
  AccountStanding,
  DEACTIVATION_RETRY_MS,
  type AccountAction,
  type StandingOutcome,
} from './standing/account-standing.service.js';
export {
  GroupSync,
  GroupSyncModule,
  evaluateGroupMappings,
  type GroupEvaluation,
  type GroupSyncOutcome,
  type GroupTarget,
  type WantedTarget,
} from './groups/index.js';
export type { RequestClient } from './events/request-client.js';
export {
  TokenMintedEvent,
  type TokenDestination,
} from './events/token-minted.event.js';
