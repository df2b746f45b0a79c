import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  parseTaskExamples,
  parseTaskIndex,
  parseTaskManifest,
  SPLIT_NAMES,
  type TaskExample,
  type TaskManifest,
} from '../../src/data/task-manifest';

const TASKS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'public', 'tasks');
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

const index = parseTaskIndex(readJson(join(TASKS_DIR, 'index.json')));
const folders = readdirSync(TASKS_DIR).filter((f) => statSync(join(TASKS_DIR, f)).isDirectory());

interface LoadedTask {
  manifest: TaskManifest;
  splits: Record<string, TaskExample[]>;
  problems: string[];
}

const loaded: LoadedTask[] = index.tasks.map((entry) => {
  const path = join(TASKS_DIR, entry.path);
  const manifest = parseTaskManifest(readJson(path));
  const splits: Record<string, TaskExample[]> = {};
  const problems: string[] = [];
  for (const name of SPLIT_NAMES) {
    const text = readFileSync(join(dirname(path), manifest.splits[name].file), 'utf8');
    const parsed = parseTaskExamples(text, manifest);
    problems.push(...parsed.problems.map((p) => `${name}.jsonl:${p.line}: ${p.message}`));
    splits[name] = parsed.examples;
  }
  return { manifest, splits, problems };
});

describe('built-in tasks (public/tasks)', () => {
  it('has at least 6 source and 4 target tasks', () => {
    expect(index.tasks.filter((t) => t.role === 'source').length).toBeGreaterThanOrEqual(6);
    expect(index.tasks.filter((t) => t.role === 'target').length).toBeGreaterThanOrEqual(4);
  });

  it('index lists every task folder exactly once, and each entry matches its manifest', () => {
    expect(index.tasks.map((t) => t.id).sort()).toEqual([...folders].sort());
    expect(new Set(index.tasks.map((t) => t.id)).size).toBe(index.tasks.length);
    for (const entry of index.tasks) {
      expect(existsSync(join(TASKS_DIR, entry.path)), entry.path).toBe(true);
      const m = loaded.find((t) => t.manifest.id === entry.id)?.manifest;
      expect(m, entry.id).toBeDefined();
      expect(m?.role).toBe(entry.role);
      expect(m?.kind).toBe(entry.kind);
    }
  });

  for (const { manifest, splits, problems } of loaded) {
    describe(manifest.id, () => {
      it('every row of every split parses', () => {
        expect(problems).toEqual([]);
      });

      it('manifest counts match the files', () => {
        for (const name of SPLIT_NAMES) {
          const rows = splits[name];
          const info = manifest.splits[name];
          expect(rows.length, name).toBe(info.count);
          expect(rows.length, name).toBeGreaterThan(0);
          expect(new Set(rows.map((r) => r.doc)).size, `${name} documents`).toBe(info.documents);
          if (manifest.labels) {
            const counts: Record<string, number> = {};
            for (const l of manifest.labels) counts[l.verbalizer] = 0;
            for (const r of rows) counts[r.label] = (counts[r.label] ?? 0) + 1;
            expect(counts, `${name} label counts`).toEqual(info.labelCounts);
          }
        }
      });

      it('every label is in the label set and every input is non-empty', () => {
        const verbalizers = manifest.labels ? new Set(manifest.labels.map((l) => l.verbalizer)) : null;
        for (const name of SPLIT_NAMES) {
          for (const r of splits[name]) {
            expect(r.input.trim().length, `${name}: ${JSON.stringify(r)}`).toBeGreaterThan(0);
            expect(r.label.trim().length, `${name}: ${JSON.stringify(r)}`).toBeGreaterThan(0);
            if (verbalizers) expect(verbalizers.has(r.label), `${name}: ${r.label}`).toBe(true);
            expect(typeof r.doc, `${name}: every row names its document`).toBe('string');
          }
        }
        if (manifest.labels) {
          const seenInTrain = new Set(splits.train.map((r) => r.label));
          expect(seenInTrain.size, 'labels present in train').toBeGreaterThanOrEqual(2);
        }
      });

      it('splits are disjoint by document and by exact input text', () => {
        const docs = SPLIT_NAMES.map((n) => new Set(splits[n].map((r) => r.doc)));
        const inputs = SPLIT_NAMES.map((n) => new Set(splits[n].map((r) => r.input)));
        for (let a = 0; a < SPLIT_NAMES.length; a++) {
          for (let b = a + 1; b < SPLIT_NAMES.length; b++) {
            const sharedDocs = [...docs[a]].filter((d) => docs[b].has(d));
            const sharedInputs = [...inputs[a]].filter((x) => inputs[b].has(x));
            expect(sharedDocs, `${SPLIT_NAMES[a]} / ${SPLIT_NAMES[b]} documents`).toEqual([]);
            expect(sharedInputs, `${SPLIT_NAMES[a]} / ${SPLIT_NAMES[b]} inputs`).toEqual([]);
          }
        }
        for (const name of SPLIT_NAMES) {
          expect(inputs[SPLIT_NAMES.indexOf(name)].size, `${name}: inputs are unique`).toBe(splits[name].length);
        }
      });

      it('inputs are short enough for a small model', () => {
        for (const name of SPLIT_NAMES) {
          for (const r of splits[name]) expect(r.input.length, r.input).toBeLessThanOrEqual(300);
        }
      });
    });
  }
});

describe('task-manifest validators', () => {
  const good = (): Record<string, unknown> => JSON.parse(JSON.stringify(loaded[0].manifest)) as Record<string, unknown>;

  it('accepts a real manifest', () => {
    expect(parseTaskManifest(good()).id).toBe(loaded[0].manifest.id);
  });

  it('names the bad field', () => {
    expect(() => parseTaskManifest({ ...good(), role: 'teacher' })).toThrow(/^role:/);
    expect(() => parseTaskManifest({ ...good(), template: 'no slot' })).toThrow(/^template:/);
    const noCount = good();
    (noCount.splits as Record<string, Record<string, unknown>>).test.count = -1;
    expect(() => parseTaskManifest(noCount)).toThrow(/^splits\.test\.count:/);
    const { source: _omit, ...noSource } = good();
    expect(() => parseTaskManifest(noSource)).toThrow(/^source:/);
    expect(() => parseTaskManifest(null)).toThrow(/^manifest:/);
  });

  it('reports every bad row with its line number instead of dropping it', () => {
    const manifest = loaded.find((t) => t.manifest.kind === 'classification')!.manifest;
    const label = manifest.labels![0].verbalizer;
    const text = [
      JSON.stringify({ input: 'fine', label }),
      '{not json',
      JSON.stringify({ input: '', label }),
      JSON.stringify({ input: 'x', label: 'no-such-label' }),
      '',
      JSON.stringify({ input: 'also fine', label, doc: 'd1' }),
      '',
    ].join('\n');
    const { examples, problems } = parseTaskExamples(text, manifest);
    expect(examples).toEqual([
      { input: 'fine', label },
      { input: 'also fine', label, doc: 'd1' },
    ]);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5]);
  });
});
