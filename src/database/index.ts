export { DatabaseModule } from './database.module.js';
export { IndexManager } from './index-manager.service.js';
export { prefixedModels, type PrefixedModel } from './models.js';
export {
  MongoConnectionService,
  describeMongoError,
  type MongoState,
} from './mongo-connection.service.js';
export { PeriodicTask, type PeriodicTaskOptions } from './periodic-task.js';
