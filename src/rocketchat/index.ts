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
} from './client/rocketchat.errors.js';
export { RocketChatApi } from './client/rocketchat-api.service.js';
