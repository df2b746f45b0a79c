/** The runner's results table: mean ± sample std of the score per (target, method, k) over the seeds. */
import type { summarize } from '../../src/method/experiment';

export function summaryTable(summary: ReturnType<typeof summarize>): string {
  const lines = ['| target | method | k | score (mean ± std) | test cross-entropy | seeds |', '|---|---|---|---|---|---|'];
  for (const r of summary) {
    lines.push(`| ${r.target} | ${r.method} | ${r.k} | ${r.mean.toFixed(3)} ± ${r.std.toFixed(3)} | ${r.crossEntropy?.toFixed(3) ?? '-'} | ${r.n} |`);
  }
  return lines.join('\n');
}
