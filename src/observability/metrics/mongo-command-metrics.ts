import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type {
  CommandFailedEvent,
  CommandSucceededEvent,
  MongoClient,
} from 'mongodb';
import type { Connection } from 'mongoose';
import { Gauge } from 'prom-client';
import { MongoConnectionService } from '../../database/index.js';
import { MetricsService } from './metrics.service.js';

/**
 * MongoDB latency from the driver's command monitoring (`monitorCommands`, see mongooseOptions):
 * every command's duration by command name, plus whether the connection is up.
 */
@Injectable()
export class MongoCommandMetrics implements OnModuleInit {
  private attached: MongoClient | undefined;
  private up: Gauge | undefined;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly mongo: MongoConnectionService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const mongo = this.mongo;
    this.up = new Gauge({
      name: 'rcbridge_mongodb_up',
      help: 'Whether the connection to MongoDB is open (1) or not (0)',
      registers: [this.metrics.registry],
      collect() {
        this.set(mongo.state === 'connected' ? 1 : 0);
      },
    });
    this.mongo.onConnected(() => {
      this.attach(this.connection.getClient());
      return Promise.resolve();
    });
  }

  private attach(client: MongoClient): void {
    if (this.attached === client) {
      return;
    }
    this.attached = client;
    client.on('commandSucceeded', (event: CommandSucceededEvent) => {
      this.metrics.mongoCommand(event.commandName, 'ok', event.duration / 1000);
    });
    client.on('commandFailed', (event: CommandFailedEvent) => {
      this.metrics.mongoCommand(
        event.commandName,
        'error',
        event.duration / 1000,
      );
    });
  }
}
