import { Global, Module } from '@nestjs/common';
import { getConfigToken } from '@nestjs/config';
import {
  MongooseModule,
  type MongooseModuleFactoryOptions,
} from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { MongoConfig } from '../config/index.js';
import { IndexManager } from './index-manager.service.js';
import { MongoConnectionService } from './mongo-connection.service.js';
import { mongooseOptions } from './mongoose-options.js';

@Global()
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [getConfigToken('mongo')],
      useFactory: (mongo: MongoConfig): MongooseModuleFactoryOptions => ({
        uri: mongo.uri,
        ...mongooseOptions(mongo),
        // Do not hold the start-up hostage to MongoDB: MongoConnectionService retries with backoff.
        lazyConnection: true,
        retryAttempts: 0,
        connectionFactory: (connection: Connection) => {
          // The first attempt runs unawaited; without a handler its failure would kill the process.
          connection.asPromise().catch(() => undefined);
          return connection;
        },
      }),
    }),
  ],
  providers: [MongoConnectionService, IndexManager],
  exports: [MongoConnectionService, IndexManager],
})
export class DatabaseModule {}
