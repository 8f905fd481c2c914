import { printable } from './cli-io.js';

/**
 * A plain text table: a header row, then one row per item, columns padded to their widest cell
 * and separated by two spaces. Cells are made printable first.
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const cells = [headers, ...rows].map((row) => row.map((c) => printable(c)));
  const widths = headers.map((_, i) =>
    Math.max(...cells.map((row) => width(row[i] ?? ''))),
  );
  return cells
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1
            ? cell
            : cell + ' '.repeat(widths[i] - width(cell)),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Characters as a terminal counts them, roughly: code points (wide CJK is not corrected for). */
function width(text: string): number {
  return Array.from(text).length;
}
