import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, writeLine, type GroupContext } from '../../cli-kit/index.js';
import {
  DJANGO_USER_MODEL,
  ImportFileError,
  type ImportPlan,
} from '../import/django-dump.js';
import {
  DjangoImportService,
  ImportWriteError,
} from '../import/django-import.service.js';
import { importOutput } from './import-output.js';

/** Files larger than this are refused before parsing (a dump of 100 000 users is ~40 MB). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

interface ImportOptions {
  dryRun?: boolean;
  skipInvalid?: boolean;
  json?: boolean;
  model: string;
}

export function registerImportCommands(
  users: Command,
  context: GroupContext,
): void {
  const { io, run } = context;

  users
    .command('import')
    .description(
      'Import the users of django-rocketchat-auth from `manage.py dumpdata auth.user` JSON, ' +
        'keeping their password hashes (pbkdf2_sha256, argon2). Every row is validated first; ' +
        'nothing is written unless all rows are valid (or --skip-invalid), and a failed write is undone.',
    )
    .argument('<file>', 'the dumpdata JSON file')
    .option('--dry-run', 'validate and report, write nothing')
    .option('--skip-invalid', 'import the valid rows even if some are not')
    .option(
      '--model <label>',
      'the user model label in the dump (a custom user model)',
      DJANGO_USER_MODEL,
    )
    .option('--json', 'print the report as JSON')
    .action((file: string, options: ImportOptions) =>
      run(async (app) => {
        const output = importOutput(io, options);
        const text = await readDump(file);
        const service = app.get(DjangoImportService);
        let plan: ImportPlan;
        try {
          plan = await service.plan(text, options.model);
        } catch (error) {
          throw error instanceof ImportFileError
            ? new CliError(error.message)
            : error;
        }
        output.plan(plan);
        if (plan.total === 0) {
          output.end({ outcome: 'empty' });
          throw new CliError(
            `The file holds no "${options.model}" records; nothing to import`,
          );
        }
        const blocked = plan.problems.length > 0 && !options.skipInvalid;
        if (blocked) {
          output.end({ outcome: 'refused', dryRun: options.dryRun === true });
          throw new CliError(
            options.dryRun
              ? 'Invalid rows (see above)'
              : 'Nothing imported: fix the rows above, or pass --skip-invalid to import only the valid ones',
          );
        }
        if (options.dryRun) {
          output.end({ outcome: 'would-import' });
          return;
        }
        if (plan.rows.length === 0) {
          output.end({ outcome: 'nothing-valid' });
          return;
        }
        try {
          const result = await service.apply(plan);
          output.end({
            outcome: 'imported',
            imported: result.written,
            batch: result.batch,
          });
        } catch (error) {
          throw error instanceof ImportWriteError
            ? new CliError(error.message)
            : error;
        }
      }),
    );

  users
    .command('undo-import')
    .description(
      'Delete every user written by one import batch (its id is printed by `users import`)',
    )
    .argument('<batch>', 'the import batch id')
    .action((batch: string) =>
      run(async (app) => {
        if (!/^[0-9a-f-]{36}$/i.test(batch)) {
          throw new CliError('Not an import batch id (a UUID)', 2);
        }
        const removed = await app.get(DjangoImportService).undo(batch);
        writeLine(
          io.stdout,
          `Removed ${removed} users of import batch ${batch}.`,
        );
      }),
    );
}

async function readDump(file: string): Promise<string> {
  try {
    const buffer = await readFile(file);
    if (buffer.length > MAX_FILE_BYTES) {
      throw new CliError(`${file} is larger than 256 MiB`);
    }
    return buffer.toString('utf8');
  } catch (error) {
    if (error instanceof CliError) {
      throw error;
    }
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError(`Cannot read ${file} (${code})`);
  }
}
