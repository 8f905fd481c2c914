import { printable } from '../cli-kit/index.js';
import type { CheckResult, CheckStatus } from './doctor-check.js';

const LABEL: Record<CheckStatus, string> = {
  ok: 'OK  ',
  warn: 'WARN',
  fail: 'FAIL',
  skip: 'SKIP',
};

/** One screen: a line per check, `STATUS title: message`, and the fix indented under it. */
export function renderText(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.title.length));
  const lines: string[] = [];
  for (const result of results) {
    lines.push(
      `${LABEL[result.status]}  ${result.title.padEnd(width)}  ${printable(result.message)}`,
    );
    if (result.fix && result.status !== 'ok') {
      lines.push(`${' '.repeat(width + 8)}-> ${printable(result.fix)}`);
    }
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  lines.push(
    '',
    failed > 0
      ? `${failed} check(s) failed, ${warned} warning(s). See docs/troubleshooting.md for each message.`
      : warned > 0
        ? `No failures, ${warned} warning(s).`
        : 'Everything checked is fine.',
  );
  return `${lines.join('\n')}\n`;
}

export function renderJson(results: readonly CheckResult[]): string {
  return `${JSON.stringify(
    {
      ok: !results.some((r) => r.status === 'fail'),
      checks: results,
    },
    null,
    2,
  )}\n`;
}

export function hasFailure(results: readonly CheckResult[]): boolean {
  return results.some((r) => r.status === 'fail');
}
