import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { MongoClient, type Collection } from 'mongodb';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import { describeMongoError } from '../../database/index.js';
import { RocketChatDatabaseError } from './token.errors.js';

/** The parts of a Rocket.Chat user document the Mongo strategies touch. */
export interface RocketChatUserDocument {
  _id: string;
  active?: boolean;
  services?: {
    resume?: { loginTokens?: Record<string, unknown>[] };
    iframe?: { token?: string };
  };
}

/**
 * The connection to Rocket.Chat's own database (MONGO_DB), opened on first use and used only by
 * the Mongo token strategies. Its `users` collection is Rocket.Chat's: only single fields are
 * ever written (never the `services` object as a whole).
 */
@Injectable()
export class RocketChatDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger(RocketChatDatabase.name);
  private client: Promise<MongoClient> | undefined;

  constructor(
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
  ) {}

  /** Runs `work` on the users collection; driver failures become RocketChatDatabaseError. */
  async withUsers<T>(
    operation: string,
    work: (users: Collection<RocketChatUserDocument>) => Promise<T>,
  ): Promise<T> {
    let client: MongoClient;
    try {
      client = await this.connect();
    } catch (error) {
      this.client = undefined;
      throw new RocketChatDatabaseError(operation, describeMongoError(error));
    }
    try {
      return await work(
        client.db().collection<RocketChatUserDocument>('users'),
      );
    } catch (error) {
      throw new RocketChatDatabaseError(operation, describeMongoError(error));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const pending = this.client;
    this.client = undefined;
    if (pending) {
      await pending.then((c) => c.close()).catch(() => undefined);
    }
  }

  private connect(): Promise<MongoClient> {
    const uri = this.config.mongoUri;
    if (uri === undefined) {
      return Promise.reject(new Error('MONGO_DB is not set'));
    }
    this.client ??= new MongoClient(uri, {
      serverSelectionTimeoutMS: 3000,
      socketTimeoutMS: 5000,
      appName: 'rocketchat-identity-bridge',
    })
      .connect()
      .then((client) => {
        this.logger.log("Connected to Rocket.Chat's database (MONGO_DB)");
        return client;
      });
    return this.client;
  }
}
