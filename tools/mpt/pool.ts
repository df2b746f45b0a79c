/**
 * `npm run --silent mpt:pool -- <results.json>...`: one table over the rows of several runs, e.g.
 * seeds 1-3 and 4-6 of the same target and method made by two runner processes. Rows are grouped
 * by (target, method, k) as in one run's table; make sure the pooled runs share their settings.
 */
import { readFileSync } from 'node:fs';
import { summarize, type RunRow } from '../../src/method/experiment';
import { summaryTable } from './summary-table';

const files = process.argv.slice(2).filter((a) => a !== '--');
if (files.length === 0) {
  console.error('usage: npm run --silent mpt:pool -- <results.json>...');
  process.exit(1);
}
const rows: RunRow[] = files.flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { rows: RunRow[] }).rows);
console.log(summaryTable(summarize(rows)));
