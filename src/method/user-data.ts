import { seededRandom, shuffled } from './random';
import type { Example, TaskData } from './task-data';
import type { Table } from './user-table';

/**
 * The user's table as a task: which column is the input and which the label (classification)
 * or target text (generation), a check of every row, and the TaskData the method trains on.
 * Rows with an error are left out of the task, rows with a warning stay in; both are listed.
 */

export type UserTaskKind = TaskData['kind'];

export interface ColumnMapping {
  kind: UserTaskKind;
  input: number;
  /** The label column (classification) or the target text column (generation). */
  output: number;
}

export type IssueCode = 'read' | 'empty' | 'encoding' | 'duplicate' | 'conflict' | 'too-long' | 'small-class';

export interface RowIssue {
  code: IssueCode;
  severity: 'error' | 'warning';
  message: string;
}

export interface CheckedRow {
  line: number;
  input: string;
  output: string;
  issues: RowIssue[];
  /** True when an error keeps the row out of the task. */
  excluded: boolean;
  split?: 'train' | 'validation' | 'test';
}

export interface CheckOptions {
  /** Few-shot k: a class needs at least k training rows. */
  k: number;
  seed: number;
  maxInputTokens: number;
  /** Tokens of each row's input (from the model's tokenizer); null: estimated from characters. */
  tokenCounts: number[] | null;
}

export interface CheckedData {
  rows: CheckedRow[];
  /** Classification: each class with its usable rows and training rows, in first-seen order. */
  classes: { label: string; rows: number; train: number }[];
  excluded: number;
  withWarnings: number;
  /** Why no task can be built from these rows (too few classes, nothing left, ...). */
  blocker: string | null;
}

/** A rough English-text rate for T5's sentencepiece vocabulary, used before a model is loaded. */
export const CHARS_PER_TOKEN = 4;
const MAX_CLASSES = 100;
/** Share of each class (or of all rows, for generation) held out for validation and for test. */
const HELD_OUT = 0.2;

/** Picks columns by their names (input/text, label/class, target/output), else the first two. */
export function guessMapping(columns: string[]): ColumnMapping {
  const find = (pattern: RegExp) => columns.findIndex((c) => pattern.test(c.trim()));
  const input = Math.max(0, find(/^(input|text|sentence|question|source|x)$/i));
  const label = find(/^(label|labels|class|category|y)$/i);
  const target = find(/^(target|output|answer|response|summary)$/i);
  const fallback = columns.length > 1 ? (input === 0 ? 1 : 0) : 0;
  if (label < 0 && target >= 0) return { kind: 'generation', input, output: target };
  return { kind: 'classification', input, output: label >= 0 ? label : fallback };
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN) + 1; // + </s>
}

export function checkRows(table: Table, mapping: ColumnMapping, options: CheckOptions): CheckedData {
  const outputName = mapping.kind === 'classification' ? 'label' : 'target text';
  const rows: CheckedRow[] = table.rows.map((row, i) => {
    const input = (row.values[mapping.input] ?? '').trim();
    const output = (row.values[mapping.output] ?? '').trim();
    const issues: RowIssue[] = [];
    const error = (code: IssueCode, message: string) => issues.push({ code, severity: 'error', message });
    if (row.readError) error('read', row.readError);
    if (!row.readError && input === '') error('empty', 'empty input');
    if (!row.readError && output === '') error('empty', `empty ${outputName}`);
    if (input.includes('\uFFFD') || output.includes('\uFFFD')) error('encoding', 'undecodable text (U+FFFD): the file is not valid UTF-8');
    const tokens = options.tokenCounts?.[i] ?? estimateTokens(input);
    if (input !== '' && tokens > options.maxInputTokens) {
      const count = options.tokenCounts ? `${tokens} tokens` : `about ${tokens} tokens (estimated)`;
      issues.push({ code: 'too-long', severity: 'warning', message: `${count}, more than ${options.maxInputTokens}: the end is cut off` });
    }
    return { line: row.line, input, output, issues, excluded: false };
  });
  markDuplicates(rows, mapping.kind);
  for (const row of rows) row.excluded = row.issues.some((issue) => issue.severity === 'error');

  const usable = rows.filter((r) => !r.excluded);
  assignSplits(usable, mapping.kind, options.seed);
  const classes = mapping.kind === 'classification' ? classCounts(usable) : [];
  for (const c of classes) {
    if (c.train >= options.k) continue;
    const message = `class "${c.label}" has ${c.train} training row${c.train === 1 ? '' : 's'}, fewer than k = ${options.k}`;
    for (const row of usable) if (row.output === c.label) row.issues.push({ code: 'small-class', severity: 'warning', message });
  }
  return {
    rows,
    classes,
    excluded: rows.length - usable.length,
    withWarnings: usable.filter((r) => r.issues.length > 0).length,
    blocker: blockerOf(usable, classes, mapping.kind),
  };
}

/** Same input twice: later copies with the same output are duplicates; different outputs conflict. */
function markDuplicates(rows: CheckedRow[], kind: UserTaskKind): void {
  const byInput = new Map<string, CheckedRow[]>();
  for (const row of rows) {
    if (row.input === '' || row.issues.some((issue) => issue.code === 'read')) continue;
    byInput.set(row.input, [...(byInput.get(row.input) ?? []), row]);
  }
  for (const group of byInput.values()) {
    if (group.length < 2) continue;
    const outputs = new Set(group.map((r) => r.output));
    if (outputs.size > 1) {
      // For classification the label is ambiguous, so every copy goes; generation may have several answers.
      const listed = group.map((r) => `line ${r.line}: "${r.output}"`).join(', ');
      for (const row of group) {
        row.issues.push({ code: 'conflict', severity: kind === 'classification' ? 'error' : 'warning', message: `same input, different ${kind === 'classification' ? 'labels' : 'targets'} (${listed})` });
      }
    }
    const first = new Map<string, CheckedRow>();
    for (const row of group) {
      const earlier = first.get(row.output);
      if (earlier) row.issues.push({ code: 'duplicate', severity: 'error', message: `duplicate of line ${earlier.line}` });
      else first.set(row.output, row);
    }
  }
}

/** A seeded split, per class for classification so every class is in every split when it can be. */
function assignSplits(usable: CheckedRow[], kind: UserTaskKind, seed: number): void {
  const random = seededRandom(seed);
  const groups = kind === 'classification' ? [...groupBy(usable, (r) => r.output).values()] : [usable];
  for (const group of groups) {
    const order = shuffled(group, random);
    const heldOut = group.length >= 3 ? Math.max(1, Math.round(group.length * HELD_OUT)) : 0;
    order.forEach((row, i) => (row.split = i < heldOut ? 'validation' : i < 2 * heldOut ? 'test' : 'train'));
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

function classCounts(usable: CheckedRow[]): CheckedData['classes'] {
  return [...groupBy(usable, (r) => r.output)].map(([label, rows]) => ({
    label,
    rows: rows.length,
    train: rows.filter((r) => r.split === 'train').length,
  }));
}

function blockerOf(usable: CheckedRow[], classes: CheckedData['classes'], kind: UserTaskKind): string | null {
  if (usable.length === 0) return 'No usable rows: every row has an error.';
  if (kind === 'generation') return usable.length < 3 ? 'A task needs at least 3 usable rows (train, validation, test).' : null;
  if (classes.length < 2) return `Classification needs at least two labels; the label column has ${classes.length}.`;
  if (classes.length > MAX_CLASSES) {
    return `The label column has ${classes.length} different values (at most ${MAX_CLASSES}): is it free text? Pick another column or "generation".`;
  }
  const untestable = classes.filter((c) => c.rows < 3).map((c) => `"${c.label}"`);
  if (untestable.length) return `Every label needs at least 3 rows (one each for train, validation and test): ${untestable.join(', ')}.`;
  return null;
}

/** A task id from the user's name for it: lower-case words joined by "-", like the built-in tasks. */
export function taskIdFrom(name: string): string {
  const id = name
    .toLowerCase()
    .replace(/\.[a-z0-9]+$/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return id || 'your-data';
}

/** The usable rows as a TaskData (labels are their own verbalizers); throws the blocker if there is one. */
export function buildUserTask(checked: CheckedData, kind: UserTaskKind, id: string): TaskData {
  if (checked.blocker) throw new Error(checked.blocker);
  const split = (name: CheckedRow['split']): Example[] =>
    checked.rows.filter((r) => !r.excluded && r.split === name).map((r) => ({ input: r.input, target: r.output }));
  return {
    id,
    kind,
    verbalizers: checked.classes.map((c) => c.label),
    train: split('train'),
    validation: split('validation'),
    test: split('test'),
  };
}
