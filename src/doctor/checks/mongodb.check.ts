import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { InjectConfig, type MongoConfig } from '../../config/index.js';
import { describeMongoError, IndexManager } from '../../database/index.js';
import { fail, ok, warn, type CheckResult } from '../doctor-check.js';
import { withDeadline } from '../deadline.js';

const ID = 'mongodb';
const TITLE = 'MongoDB';

/** The bridge's own database: reachable, answering, its indexes in place. */
@Injectable()
export class MongoDbCheck {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    @InjectConfig('mongo') private readonly config: MongoConfig,
    private readonly indexes: IndexManager,
  ) {}

  async run(): Promise<CheckResult> {
    const waitMs = this.config.serverSelectionTimeoutMs + 1000;
    try {
      await withDeadline(this.connection.asPromise(), waitMs, 'timed out');
      const db = this.connection.db;
      if (!db) {
        throw new Error('no database handle');
      }
      const info = await withDeadline(
        db.admin().command({ buildInfo: 1 }),
        waitMs,
        'timed out',
      );
      await withDeadline(
        this.indexes.whenReady(),
        15_000,
        'index creation timed out',
      );
      const version = typeof info.version === 'string' ? info.version : '?';
      const where = `database "${db.databaseName}", collections prefixed "${this.config.collectionPrefix}"`;
      if (JSON.stringify(info).toLowerCase().includes('ferretdb')) {
        return warn(
          ID,
          TITLE,
          `reachable, but the server is FerretDB (${where})`,
          'FerretDB serves the tests and dev mode; run production on MongoDB (a replica set)',
        );
      }
      return ok(ID, TITLE, `reachable, MongoDB ${version} (${where})`);
    } catch (error) {
      return fail(
        ID,
        TITLE,
        `not usable: ${describeMongoError(error)}`,
        'check MONGODB_URI (host, port, credentials, database) and that the server runs and accepts this machine',
      );
    }
  }
}
