// Types and validators for the built-in tasks in public/tasks/ (made by tools/data/build_tasks.mjs).
//
// public/tasks/index.json lists the tasks; each task folder holds manifest.json and one JSONL
// file per split, each line {"input": string, "label": string, "doc"?: string}. For a
// classification task "label" is the verbalizer of one of the manifest's labels; for a
// generation task it is the target text.

export type TaskRole = 'source' | 'target';
export type TaskKind = 'classification' | 'generation';
export type SplitName = 'train' | 'validation' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

export interface TaskLabel {
  /** Human-readable class name, e.g. "1790-1860". */
  label: string;
  /** The short text the model reads and writes for this class, e.g. "early". */
  verbalizer: string;
}

export interface SplitInfo {
  /** File name relative to the task folder, e.g. "train.jsonl". */
  file: string;
  count: number;
  /** Number of distinct documents (split units) the rows come from. */
  documents: number;
  /** Rows per verbalizer (classification tasks only). */
  labelCounts?: Record<string, number>;
}

export interface SourcePackage {
  name: string;
  version: string;
  registry: 'npm' | 'debian';
  license: string;
}

export interface TaskManifest {
  id: string;
  name: string;
  description: string;
  role: TaskRole;
  kind: TaskKind;
  /** Model input with "{input}" replaced by an example's input, e.g. "genre: {input}". */
  template: string;
  /** Present (and non-empty) exactly for classification tasks. */
  labels?: TaskLabel[];
  metric: 'accuracy' | 'exact_match';
  splits: Record<SplitName, SplitInfo>;
  source: {
    packages: SourcePackage[];
    /** One sentence: how the labels were obtained from the data. */
    labelDerivation: string;
    /** What one "document" is; no document has rows in two splits. */
    splitUnit: string;
  };
}

export interface TaskIndexEntry {
  id: string;
  role: TaskRole;
  kind: TaskKind;
  /** Path of manifest.json relative to index.json. */
  path: string;
}

export interface TaskIndex {
  version: number;
  tasks: TaskIndexEntry[];
}

export interface TaskExample {
  input: string;
  label: string;
  doc?: string;
}

export interface RowProblem {
  /** 1-based line number in the JSONL text. */
  line: number;
  message: string;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, field: string): Json {
  if (!isObject(v)) throw new Error(`${field}: expected an object`);
  return v;
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new Error(`${field}: expected a non-empty string`);
  return v;
}

function count(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`${field}: expected a non-negative integer`);
  return v;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], field: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new Error(`${field}: expected one of ${allowed.join(', ')}`);
  }
  return v as T;
}

function arr(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${field}: expected an array`);
  return v;
}

function parseSplit(v: unknown, field: string, verbalizers: string[] | null): SplitInfo {
  const o = obj(v, field);
  const info: SplitInfo = {
    file: str(o.file, `${field}.file`),
    count: count(o.count, `${field}.count`),
    documents: count(o.documents, `${field}.documents`),
  };
  if (verbalizers) {
    const lc = obj(o.labelCounts, `${field}.labelCounts`);
    const labelCounts: Record<string, number> = {};
    for (const [k, n] of Object.entries(lc)) {
      if (!verbalizers.includes(k)) throw new Error(`${field}.labelCounts.${k}: not a verbalizer of this task`);
      labelCounts[k] = count(n, `${field}.labelCounts.${k}`);
    }
    const sum = Object.values(labelCounts).reduce((a, b) => a + b, 0);
    if (sum !== info.count) throw new Error(`${field}.labelCounts: adds up to ${sum}, count is ${info.count}`);
    info.labelCounts = labelCounts;
  }
  return info;
}

/** Validates a task manifest; throws an Error whose message starts with the bad field. */
export function parseTaskManifest(json: unknown): TaskManifest {
  const o = obj(json, 'manifest');
  const id = str(o.id, 'id');
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw new Error('id: expected lower-case words joined by "-"');
  const kind = oneOf(o.kind, ['classification', 'generation'] as const, 'kind');
  const template = str(o.template, 'template');
  if (!template.includes('{input}')) throw new Error('template: must contain "{input}"');

  let labels: TaskLabel[] | undefined;
  if (kind === 'classification') {
    const list = arr(o.labels, 'labels');
    if (list.length < 2) throw new Error('labels: a classification task needs at least two labels');
    labels = list.map((l, i) => {
      const lo = obj(l, `labels[${i}]`);
      return { label: str(lo.label, `labels[${i}].label`), verbalizer: str(lo.verbalizer, `labels[${i}].verbalizer`) };
    });
    const seen = new Set<string>();
    labels.forEach((l, i) => {
      if (seen.has(l.verbalizer)) throw new Error(`labels[${i}].verbalizer: "${l.verbalizer}" is used twice`);
      seen.add(l.verbalizer);
    });
  } else if (o.labels !== undefined) {
    throw new Error('labels: only classification tasks have labels');
  }
  const metric = oneOf(o.metric, ['accuracy', 'exact_match'] as const, 'metric');
  if (metric !== (kind === 'classification' ? 'accuracy' : 'exact_match')) {
    throw new Error(`metric: ${metric} does not fit a ${kind} task`);
  }

  const verbalizers = labels ? labels.map((l) => l.verbalizer) : null;
  const so = obj(o.splits, 'splits');
  const splits = {} as Record<SplitName, SplitInfo>;
  for (const name of SPLIT_NAMES) splits[name] = parseSplit(so[name], `splits.${name}`, verbalizers);

  const src = obj(o.source, 'source');
  const packages = arr(src.packages, 'source.packages').map((p, i) => {
    const po = obj(p, `source.packages[${i}]`);
    return {
      name: str(po.name, `source.packages[${i}].name`),
      version: str(po.version, `source.packages[${i}].version`),
      registry: oneOf(po.registry, ['npm', 'debian'] as const, `source.packages[${i}].registry`),
      license: str(po.license, `source.packages[${i}].license`),
    };
  });
  if (packages.length === 0) throw new Error('source.packages: expected at least one package');

  return {
    id,
    name: str(o.name, 'name'),
    description: str(o.description, 'description'),
    role: oneOf(o.role, ['source', 'target'] as const, 'role'),
    kind,
    template,
    ...(labels ? { labels } : {}),
    metric,
    splits,
    source: {
      packages,
      labelDerivation: str(src.labelDerivation, 'source.labelDerivation'),
      splitUnit: str(src.splitUnit, 'source.splitUnit'),
    },
  };
}

/** Validates public/tasks/index.json. */
export function parseTaskIndex(json: unknown): TaskIndex {
  const o = obj(json, 'index');
  const tasks = arr(o.tasks, 'tasks').map((t, i) => {
    const to = obj(t, `tasks[${i}]`);
    return {
      id: str(to.id, `tasks[${i}].id`),
      role: oneOf(to.role, ['source', 'target'] as const, `tasks[${i}].role`),
      kind: oneOf(to.kind, ['classification', 'generation'] as const, `tasks[${i}].kind`),
      path: str(to.path, `tasks[${i}].path`),
    };
  });
  return { version: count(o.version, 'version'), tasks };
}

/**
 * Parses a split's JSONL text. Every non-empty line gives either an example or a problem (bad
 * JSON, a missing or empty input, a label outside the label set, ...); nothing is dropped
 * silently. An empty line counts as a problem too, except the one after the final newline.
 */
export function parseTaskExamples(
  jsonlText: string,
  manifest: TaskManifest,
): { examples: TaskExample[]; problems: RowProblem[] } {
  const verbalizers = manifest.labels ? new Set(manifest.labels.map((l) => l.verbalizer)) : null;
  const examples: TaskExample[] = [];
  const problems: RowProblem[] = [];
  const lines = jsonlText.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((text, i) => {
    const line = i + 1;
    if (text.trim() === '') {
      problems.push({ line, message: 'empty line' });
      return;
    }
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (e) {
      problems.push({ line, message: `not JSON: ${(e as Error).message}` });
      return;
    }
    if (!isObject(row)) {
      problems.push({ line, message: 'not a JSON object' });
      return;
    }
    const { input, label, doc } = row;
    if (typeof input !== 'string' || input.trim() === '') {
      problems.push({ line, message: 'input: expected a non-empty string' });
      return;
    }
    if (typeof label !== 'string' || label.trim() === '') {
      problems.push({ line, message: 'label: expected a non-empty string' });
      return;
    }
    if (verbalizers && !verbalizers.has(label)) {
      problems.push({ line, message: `label: "${label}" is not in the task's label set` });
      return;
    }
    if (doc !== undefined && typeof doc !== 'string') {
      problems.push({ line, message: 'doc: expected a string' });
      return;
    }
    examples.push(doc === undefined ? { input, label } : { input, label, doc });
  });
  return { examples, problems };
}

/** The model input for one example: the task template with the example's input filled in. */
export function formatInput(manifest: TaskManifest, input: string): string {
  return manifest.template.replace('{input}', input);
}
