import { printable, writeLine, type CliIO } from '../../cli-kit/index.js';
import type { ImportPlan } from '../import/django-dump.js';

/** How an import ended, for the report. */
export type ImportEnd =
  | { readonly outcome: 'empty' }
  | { readonly outcome: 'refused'; readonly dryRun: boolean }
  | { readonly outcome: 'would-import' }
  | { readonly outcome: 'nothing-valid' }
  | {
      readonly outcome: 'imported';
      readonly imported: number;
      readonly batch: string;
    };

/** What `users import` reports: the validated plan, then how it ended. */
export interface ImportOutput {
  plan(plan: ImportPlan): void;
  end(end: ImportEnd): void;
}

export function importOutput(
  io: CliIO,
  options: { model: string; json?: boolean; dryRun?: boolean },
): ImportOutput {
  return options.json
    ? new JsonImportOutput(io, options.model, options.dryRun === true)
    : new TextImportOutput(io, options.model);
}

/** Lines for people: a summary, one line per invalid row, then what happened. */
class TextImportOutput implements ImportOutput {
  private valid = 0;

  constructor(
    private readonly io: CliIO,
    private readonly model: string,
  ) {}

  plan(plan: ImportPlan): void {
    this.valid = plan.rows.length;
    const ignored =
      plan.ignored > 0
        ? `; ${plan.ignored} records of other models ignored`
        : '';
    writeLine(
      this.io.stdout,
      `${plan.total} "${this.model}" records: ${plan.rows.length} valid, ${plan.problems.length} invalid${ignored}.`,
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
        this.io.stdout,
        printable(
          `  row ${problem.row}${who ? ` (${who})` : ''}: ${problem.reasons.join('; ')}`,
        ),
      );
    }
  }

  end(end: ImportEnd): void {
    switch (end.outcome) {
      case 'refused':
        if (end.dryRun) {
          writeLine(
            this.io.stdout,
            'Dry run: the import would be refused because of the rows above.',
          );
        }
        return;
      case 'would-import':
        writeLine(
          this.io.stdout,
          `Dry run: ${this.valid} users would be imported; nothing was written.`,
        );
        return;
      case 'nothing-valid':
        writeLine(this.io.stdout, 'No valid rows: nothing imported.');
        return;
      case 'imported':
        writeLine(
          this.io.stdout,
          `Imported ${end.imported} users (import batch ${end.batch}).`,
        );
        return;
      case 'empty':
        return;
    }
  }
}

/**
 * One JSON document on stdout, whatever the outcome (failures also exit non-zero with their line
 * on stderr): the counts, every invalid row with its reasons, and the outcome. Never a hash.
 */
class JsonImportOutput implements ImportOutput {
  private summary: Record<string, unknown> = {};

  constructor(
    private readonly io: CliIO,
    private readonly model: string,
    private readonly dryRun: boolean,
  ) {}

  plan(plan: ImportPlan): void {
    this.summary = {
      model: this.model,
      records: plan.total,
      valid: plan.rows.length,
      invalid: plan.problems.length,
      ignored: plan.ignored,
      problems: plan.problems.map((problem) => ({
        row: problem.row,
        pk: problem.pk ?? null,
        username: problem.username ?? null,
        reasons: problem.reasons,
      })),
    };
  }

  end(end: ImportEnd): void {
    const document = {
      ...this.summary,
      outcome: end.outcome,
      dryRun: this.dryRun,
      imported: end.outcome === 'imported' ? end.imported : 0,
      batch: end.outcome === 'imported' ? end.batch : null,
    };
    writeLine(this.io.stdout, JSON.stringify(document, null, 2));
  }
}
