import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Keeps docs/security.md honest. The ids are those of the project's security checklist
// ("Security & reliability anchors for the Rocket.Chat iframe identity bridge", section 2:
// "Checklist of attacks, faults and bad inputs", 48 rows). That note lives outside this repository,
// so the ids are written out here.
const CHECKLIST_IDS = [
  ...range('CORS', 6),
  ...range('SES', 6),
  ...range('FRM', 3),
  ...range('CSRF', 3),
  ...range('RDR', 2),
  ...range('AUTH', 7),
  ...range('PWD', 4),
  ...range('RC', 8),
  ...range('OPS', 5),
  ...range('SEC', 4),
];

const STATUSES = ['proven', 'partial', 'not applicable'] as const;
type Status = (typeof STATUSES)[number];

const ROOT = new URL('../../', import.meta.url);
const DOC = new URL('docs/security.md', ROOT);

function range(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
}

interface Row {
  readonly id: string;
  readonly threat: string;
  readonly status: string;
  readonly where: string;
}

/** The rows of the mapping table: `| id | threat | status | where |`. */
function rows(): Row[] {
  const found: Row[] = [];
  for (const line of readFileSync(DOC, 'utf8').split('\n')) {
    const cells = line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|');
    const id = cells[0]?.trim() ?? '';
    if (!/^[A-Z]+-\d+$/.test(id)) {
      continue;
    }
    expect({ id, cells: cells.length }).toEqual({ id, cells: 4 });
    found.push({
      id,
      threat: cells[1].trim(),
      status: cells[2].trim(),
      where: cells[3].trim(),
    });
  }
  return found;
}

/**
 * The files (in backticks, under src/ or test/) and the test names (in “curly quotes”) of a
 * `where` cell; each name belongs to the file named last before it.
 */
function references(where: string): {
  files: string[];
  names: { file: string | undefined; name: string }[];
} {
  const files: string[] = [];
  const names: { file: string | undefined; name: string }[] = [];
  for (const match of where.matchAll(
    /`((?:src|test)\/[^`\s]+\.ts)`|“([^”]+)”/g,
  )) {
    if (match[1] !== undefined) {
      files.push(match[1]);
    } else {
      names.push({ file: files.at(-1), name: match[2] });
    }
  }
  return { files, names };
}

/** The name is a whole string literal of the file (an `it`/`describe` title), not part of one. */
function isTestTitleIn(source: string, name: string): boolean {
  return ["'", '"', '`'].some((q) => source.includes(`${q}${name}${q}`));
}

describe('docs/security.md maps the security checklist', () => {
  const table = rows();

  it('should list exactly the 48 checklist ids, once each, in order', () => {
    expect(CHECKLIST_IDS).toHaveLength(48);
    expect(table.map((r) => r.id)).toEqual(CHECKLIST_IDS);
  });

  it('should give every row a threat and one of the statuses proven, partial or not applicable', () => {
    const bad = table
      .filter(
        (r) => r.threat.length < 5 || !STATUSES.includes(r.status as Status),
      )
      .map((r) => r.id);
    expect(bad).toEqual([]);
  });

  it('should name, for every proven or partial row, test files that exist and contain each quoted test name verbatim', () => {
    const problems: string[] = [];
    for (const row of table.filter((r) => r.status !== 'not applicable')) {
      const { files, names } = references(row.where);
      const tests = files.filter(
        (f) => f.startsWith('test/') || f.endsWith('.spec.ts'),
      );
      if (tests.length === 0) {
        problems.push(`${row.id}: names no test file`);
      }
      if (row.status === 'proven' && names.length === 0) {
        problems.push(`${row.id}: proven without a quoted test name`);
      }
      for (const file of files) {
        if (!existsSync(new URL(file, ROOT))) {
          problems.push(`${row.id}: ${file} does not exist`);
        }
      }
      for (const { file, name } of names) {
        if (file === undefined) {
          problems.push(`${row.id}: “${name}” follows no file`);
        } else if (
          existsSync(new URL(file, ROOT)) &&
          !isTestTitleIn(readFileSync(new URL(file, ROOT), 'utf8'), name)
        ) {
          problems.push(`${row.id}: “${name}” is not in ${file}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('should say what a partial row does not prove, and why a row is not applicable', () => {
    const bad = table
      .filter(
        (r) =>
          (r.status === 'partial' && !/Not proven/.test(r.where)) ||
          (r.status === 'not applicable' && r.where.length < 60),
      )
      .map((r) => r.id);
    expect(bad).toEqual([]);
  });

  it('should state totals that match the table', () => {
    const count = (status: Status) =>
      table.filter((r) => r.status === status).length;
    expect(readFileSync(DOC, 'utf8')).toContain(
      `Totals: ${count('proven')} proven, ${count('partial')} partial, ${count('not applicable')} not applicable.`,
    );
  });
});
