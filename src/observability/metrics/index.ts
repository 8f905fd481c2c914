export {
  MetricsService,
  type LoginOutcome,
  type MongoCommandOutcome,
  type RocketChatOutcome,
  type TokenEvent,
} from './metrics.service.js';
export { rocketChatOutcome } from './rocketchat-outcome.js';
export { MetricsServer } from './metrics-server.service.js';
