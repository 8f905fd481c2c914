import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectConfig, type AuthConfig } from '../config/index.js';
import {
  IndexManager,
  MongoConnectionService,
  describeMongoError,
} from '../database/index.js';
import { UserAdminService } from './user-admin.service.js';
import { UsersRepository } from './users.repository.js';
import {
  InvalidUserFieldError,
  PasswordPolicyError,
  UsernameTakenError,
} from './users.errors.js';

/** What the first start did about users. */
export type FirstUserOutcome =
  'users-exist' | 'created' | 'created-elsewhere' | 'hinted' | 'refused';

/** The one way to the first sign-in, logged while there is no user (the log is all an operator has). */
export const FIRST_USER_HINT =
  'No bridge users yet, so nobody can log in. Add the first one: ' +
  '`docker compose exec bridge rc-bridge users add <name>` (elsewhere: `rc-bridge users add <name>`; ' +
  'it asks for the password), or set BRIDGE_INITIAL_USER and BRIDGE_INITIAL_PASSWORD_FILE and restart';

/**
 * The first start of the service on an empty database: creates BRIDGE_INITIAL_USER if it is set,
 * or logs how to add a user. Once any user exists this does nothing (the variables can stay set).
 * Replicas starting together create the user once: its username is a unique key, so every other
 * replica's insert fails and is taken for "created elsewhere".
 */
@Injectable()
export class FirstUser implements OnModuleInit {
  private readonly logger = new Logger(FirstUser.name);

  constructor(
    private readonly mongo: MongoConnectionService,
    private readonly indexes: IndexManager,
    private readonly users: UsersRepository,
    private readonly admin: UserAdminService,
    @InjectConfig('auth') private readonly config: AuthConfig,
  ) {}

  onModuleInit(): void {
    this.mongo.onConnected(async () => {
      await this.ensure();
    });
  }

  /** Runs once, on the first connection to MongoDB; never throws. */
  async ensure(): Promise<FirstUserOutcome> {
    try {
      // The unique username index must exist before two replicas insert the same user.
      await this.indexes.whenReady();
      const initial = this.config.initialUser;
      if (!(await this.users.isEmpty())) {
        if (initial) {
          this.logger.log(
            'BRIDGE_INITIAL_USER ignored: the database has users already (the variables can be removed)',
          );
        }
        return 'users-exist';
      }
      if (!initial) {
        this.logger.warn(FIRST_USER_HINT);
        return 'hinted';
      }
      return await this.create(initial.username, initial.password);
    } catch (error) {
      this.logger.error(
        `Could not check for a first user: ${describeMongoError(error)}`,
      );
      return 'refused';
    }
  }

  private async create(
    username: string,
    password: string,
  ): Promise<FirstUserOutcome> {
    try {
      const user = await this.admin.create({ username, password });
      this.logger.log(
        `Created the initial user ${user.username} (BRIDGE_INITIAL_USER); change its password with ` +
          '`rc-bridge users passwd`',
      );
      return 'created';
    } catch (error) {
      if (error instanceof UsernameTakenError) {
        this.logger.log(
          `BRIDGE_INITIAL_USER ${username} was created by another replica at the same time`,
        );
        return 'created-elsewhere';
      }
      if (
        error instanceof InvalidUserFieldError ||
        error instanceof PasswordPolicyError
      ) {
        this.logger.error(
          `BRIDGE_INITIAL_USER not created: ${error.message}. ${FIRST_USER_HINT}`,
        );
        return 'refused';
      }
      throw error;
    }
  }
}
