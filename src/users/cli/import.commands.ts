import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  CliError,
  printable,
  writeLine,
  type CliIO,
  type GroupContext,
} from '../../cli-kit/index.js';
import {
  DJANGO_USER_MODEL,
  ImportFileError,
  type ImportPlan,
} from '../import/django-dump.js';
import {
  DjangoImportService,
  ImportWriteError,
} from '../import/django-import.service.js';

/** Files larger than this are refused before parsing (a dump of 100 000 users is ~40 MB). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

interface ImportOptions {
  dryRun?: boolean;
  skipInvalid?: boolean;
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
    .action((file: string, options: ImportOptions) =>
      run(async (app) => {
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
        printPlan(io, plan, options.model);
        if (plan.total === 0) {
          throw new CliError(
            `The file holds no "${options.model}" records; nothing to import`,
          );
        }
        const blocked = plan.problems.length > 0 && !options.skipInvalid;
        if (options.dryRun) {
          writeLine(
            io.stdout,
            blocked
              ? 'Dry run: the import would be refused because of the rows above.'
              : `Dry run: ${plan.rows.length} users would be imported; nothing was written.`,
          );
          if (blocked) {
            throw new CliError('Invalid rows (see above)');
          }
          return;
        }
        if (blocked) {
          throw new CliError(
            'Nothing imported: fix the rows above, or pass --skip-invalid to import only the valid ones',
          );
        }
        if (plan.rows.length === 0) {
          writeLine(io.stdout, 'No valid rows: nothing imported.');
          return;
        }
        try {
          const result = await service.apply(plan);
          writeLine(
            io.stdout,
            `Imported ${result.written} users (import batch ${result.batch}).`,
          );
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

function printPlan(io: CliIO, plan: ImportPlan, model: string): void {
  const ignored =
    plan.ignored > 0 ? `; ${plan.ignored} records of other models ignored` : '';
  writeLine(
    io.stdout,
    `${plan.total} "${model}" records: ${plan.rows.length} valid, ${plan.problems.length} invalid${ignored}.`,
  );
  for (const problem of plan.problems) {
    const who = [
      problem.pk === undefined ? undefined : `pk ${problem.pk}`,
      problem.username === undefined
        ? undefined
        : JSON.stringify(problem.username),
    ]
      .filter((part) => part !== undefined)
      .join(', ');
    writeLine(
      io.stdout,
      printable(
        `  row ${problem.row}${who ? ` (${who})` : ''}: ${problem.reasons.join('; ')}`,
      ),
    );
  }
}
