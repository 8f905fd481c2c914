import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { CreateIndexesOptions } from 'mongodb';
import type {
  Connection,
  IndexDefinition,
  IndexOptions,
  Model,
} from 'mongoose';
import {
  MongoConnectionService,
  describeMongoError,
} from './mongo-connection.service.js';

/** MongoDB's code for an option the server does not implement (FerretDB v1 for TTL indexes). */
const NOT_IMPLEMENTED = 238;

/**
 * Creates the indexes declared on every model's schema, one at a time, once MongoDB is reachable.
 * Mongoose's autoIndex would stop at the first refused index; FerretDB v1 refuses TTL indexes, and
 * a missing unique index must never be the price of that. Where TTL is refused, the owning
 * repository's periodic sweep removes expired documents instead (it runs everywhere anyway).
 */
@Injectable()
export class IndexManager implements OnModuleInit {
  private readonly logger = new Logger(IndexManager.name);
  private ttl: boolean | undefined;
  private done!: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly mongo: MongoConnectionService,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Whether the server accepted TTL indexes (`undefined` until indexes were created). */
  get ttlSupported(): boolean | undefined {
    return this.ttl;
  }

  /** Resolves once every declared index was attempted. */
  whenReady(): Promise<void> {
    return this.done;
  }

  onModuleInit(): void {
    this.mongo.onConnected(() => this.ensureAll());
  }

  async ensureAll(): Promise<void> {
    for (const model of Object.values(this.connection.models)) {
      for (const [keys, options] of model.schema.indexes()) {
        await this.ensure(model, keys, options);
      }
    }
    this.ttl ??= true;
    this.resolveDone();
  }

  private async ensure(
    model: Model<unknown>,
    keys: IndexDefinition,
    options: IndexOptions,
  ): Promise<void> {
    const collection = model.collection.collectionName;
    const isTtl = options.expireAfterSeconds !== undefined;
    try {
      await model.collection.createIndex(
        keys as Record<string, 1 | -1>,
        options as CreateIndexesOptions,
      );
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (isTtl && code === NOT_IMPLEMENTED) {
        if (this.ttl !== false) {
          this.logger.warn(
            'This MongoDB server does not support TTL indexes (FerretDB v1 does not); ' +
              'expired documents are removed by periodic sweeps instead',
          );
        }
        this.ttl = false;
        return;
      }
      this.logger.error(
        `Could not create index ${JSON.stringify(keys)} on ${collection}: ${describeMongoError(error)}`,
      );
    }
  }
}
