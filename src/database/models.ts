import type { DynamicModule } from '@nestjs/common';
import { getConfigToken } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import type { Schema } from 'mongoose';
import type { MongoConfig } from '../config/index.js';

export interface PrefixedModel {
  /** Model name, used with `@InjectModel(name)`. */
  readonly name: string;
  readonly schema: Schema;
  /** Collection name without the configured prefix, e.g. `users` → `bridge_users`. */
  readonly collection: string;
}

/**
 * `MongooseModule.forFeature` with MONGO_COLLECTION_PREFIX applied, so the bridge never writes into
 * Rocket.Chat's collections when both share a database. The schema is cloned because several apps
 * with different prefixes may live in one process (tests).
 */
export function prefixedModels(
  models: readonly PrefixedModel[],
): DynamicModule {
  return MongooseModule.forFeatureAsync(
    models.map((model) => ({
      name: model.name,
      inject: [getConfigToken('mongo')],
      useFactory: (mongo: MongoConfig): Schema => {
        const schema = model.schema.clone();
        schema.set(
          'collection',
          `${mongo.collectionPrefix}${model.collection}`,
        );
        return schema;
      },
    })),
  );
}
