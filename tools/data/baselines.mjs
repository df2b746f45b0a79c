#!/usr/bin/env node
// Majority-class and multinomial naive-Bayes (bag of words) accuracy for each classification
// task in public/tasks/, trained on train.jsonl and scored on validation.jsonl and test.jsonl.
// Writes public/tasks/baselines.json and prints a markdown table.
// Usage: node tools/data/baselines.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TASKS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'public', 'tasks');
const ALPHA = 1; // Laplace smoothing

const readJsonl = (path) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

const tokens = (s) => s.toLowerCase().match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];

function trainNaiveBayes(rows, labels) {
  const docCount = new Map(labels.map((l) => [l, 0]));
  const wordCount = new Map(labels.map((l) => [l, new Map()]));
  const total = new Map(labels.map((l) => [l, 0]));
  const vocab = new Set();
  for (const { input, label } of rows) {
    docCount.set(label, docCount.get(label) + 1);
    const wc = wordCount.get(label);
    for (const t of tokens(input)) {
      wc.set(t, (wc.get(t) ?? 0) + 1);
      total.set(label, total.get(label) + 1);
      vocab.add(t);
    }
  }
  const n = rows.length;
  const V = vocab.size;
  // Labels that never occur in train get no prior mass (log 0), so they are never predicted.
  return (input) => {
    let best = null;
    let bestScore = -Infinity;
    const toks = tokens(input).filter((t) => vocab.has(t));
    for (const l of labels) {
      if (docCount.get(l) === 0) continue;
      let score = Math.log(docCount.get(l) / n);
      const wc = wordCount.get(l);
      const denom = Math.log(total.get(l) + ALPHA * V);
      for (const t of toks) score += Math.log((wc.get(t) ?? 0) + ALPHA) - denom;
      if (score > bestScore) {
        bestScore = score;
        best = l;
      }
    }
    return best;
  };
}

function accuracy(rows, predict) {
  if (!rows.length) return null;
  return rows.filter((r) => predict(r.input) === r.label).length / rows.length;
}

const round = (x) => (x === null ? null : Math.round(x * 1000) / 1000);

function main() {
  const index = JSON.parse(readFileSync(join(TASKS, 'index.json'), 'utf8'));
  const results = [];
  for (const entry of index.tasks) {
    const manifest = JSON.parse(readFileSync(join(TASKS, entry.path), 'utf8'));
    if (manifest.kind !== 'classification') continue;
    const dir = dirname(join(TASKS, entry.path));
    const data = Object.fromEntries(
      Object.entries(manifest.splits).map(([split, info]) => [split, readJsonl(join(dir, info.file))]),
    );
    const labels = manifest.labels.map((l) => l.verbalizer);
    const counts = new Map(labels.map((l) => [l, 0]));
    for (const r of data.train) counts.set(r.label, counts.get(r.label) + 1);
    const majority = labels.reduce((a, b) => (counts.get(b) > counts.get(a) ? b : a));
    const nb = trainNaiveBayes(data.train, labels);
    results.push({
      id: manifest.id,
      role: manifest.role,
      classes: labels.length,
      train: data.train.length,
      majorityLabel: majority,
      majority: { validation: round(accuracy(data.validation, () => majority)), test: round(accuracy(data.test, () => majority)) },
      naiveBayes: { validation: round(accuracy(data.validation, nb)), test: round(accuracy(data.test, nb)) },
    });
  }
  const out = {
    description:
      'Accuracy of two baselines trained on each task\'s train split: always predicting the most frequent train label (majority), and multinomial naive Bayes on lower-cased word counts with add-one smoothing (naiveBayes).',
    generatedBy: 'tools/data/baselines.mjs',
    tasks: results,
  };
  writeFileSync(join(TASKS, 'baselines.json'), JSON.stringify(out, null, 2) + '\n');
  const f = (x) => (x === null ? '-' : x.toFixed(3));
  console.log('| task | role | classes | train | majority val | majority test | NB val | NB test |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.id} | ${r.role} | ${r.classes} | ${r.train} | ${f(r.majority.validation)} | ${f(r.majority.test)} | ${f(r.naiveBayes.validation)} | ${f(r.naiveBayes.test)} |`,
    );
  }
}

main();
