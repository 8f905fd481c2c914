import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { describeMongoError } from '../../database/index.js';
import { UsersRepository } from '../users.repository.js';
import { UsernameTakenError } from '../users.errors.js';
import {
  DJANGO_USER_MODEL,
  planDjangoImport,
  type ImportPlan,
  type RowProblem,
} from './django-dump.js';

export interface ImportResult {
  /** Tags every written user (`importBatch`), so the import can be undone as a whole. */
  readonly batch: string;
  readonly written: number;
}

/** The write failed; nothing of it is left unless `leftBehind` says otherwise. */
export class ImportWriteError extends Error {
  constructor(
    readonly batch: string,
    readonly reason: string,
    /** Users of the batch that could not be removed again (MongoDB gone meanwhile). */
    readonly leftBehind: boolean,
  ) {
    super(
      leftBehind
        ? `The import failed (${reason}) and its partial writes could not be removed; remove them ` +
            `with \`rc-bridge users undo-import ${batch}\` once MongoDB is reachable`
        : `The import failed (${reason}); nothing was imported`,
    );
    this.name = 'ImportWriteError';
  }
}

const ROLLBACK_ATTEMPTS = 6;
const ROLLBACK_PAUSE_MS = 500;

/**
 * Imports Django users all-or-nothing. FerretDB has no transactions, so the users are written
 * tagged with a fresh batch id, and any failure deletes that batch again.
 */
@Injectable()
export class DjangoImportService {
  private readonly logger = new Logger(DjangoImportService.name);

  constructor(private readonly users: UsersRepository) {}

  /** Validates the file and checks every username against the users already stored. */
  async plan(text: string, model = DJANGO_USER_MODEL): Promise<ImportPlan> {
    const plan = planDjangoImport(text, model);
    const taken = await this.users.existingKeys(
      plan.rows.map((r) => r.user.usernameNormalized),
    );
    if (taken.size === 0) {
      return plan;
    }
    const problems: RowProblem[] = [...plan.problems];
    const rows = plan.rows.filter((r) => {
      if (!taken.has(r.user.usernameNormalized)) {
        return true;
      }
      problems.push({
        row: r.row,
        pk: r.user.importedId,
        username: r.user.username,
        reasons: ['a bridge user with this username exists already'],
      });
      return false;
    });
    problems.sort((a, b) => a.row - b.row);
    return { ...plan, rows, problems };
  }

  /** Writes the plan's valid rows; on any failure removes what it wrote and throws. */
  async apply(plan: ImportPlan, chunkSize = 500): Promise<ImportResult> {
    const batch = randomUUID();
    try {
      await this.users.insertImported(
        plan.rows.map((r) => r.user),
        batch,
        chunkSize,
      );
    } catch (error) {
      const reason =
        error instanceof UsernameTakenError
          ? error.message
          : describeMongoError(error);
      const removed = await this.rollback(batch);
      throw new ImportWriteError(batch, reason, !removed);
    }
    this.logger.log(`Imported ${plan.rows.length} users (batch ${batch})`);
    return { batch, written: plan.rows.length };
  }

  /** Removes every user an import wrote; returns how many. */
  undo(batch: string): Promise<number> {
    return this.users.deleteImportBatch(batch);
  }

  /** Deletes the batch, retrying for a few seconds (the failure may be a passing outage). */
  private async rollback(batch: string): Promise<boolean> {
    for (let attempt = 1; attempt <= ROLLBACK_ATTEMPTS; attempt += 1) {
      try {
        const removed = await this.users.deleteImportBatch(batch);
        this.logger.warn(
          `Import batch ${batch} failed; removed the ${removed} users it had written`,
        );
        return true;
      } catch (error) {
        this.logger.error(
          `Could not remove import batch ${batch} (attempt ${attempt}): ${describeMongoError(error)}`,
        );
        await new Promise((resolve) => setTimeout(resolve, ROLLBACK_PAUSE_MS));
      }
    }
    return false;
  }
}
