#!/usr/bin/env node
// Builds the pretraining corpus for the project's own small T5 in tools/work/corpus/ (git-ignored):
//   train/<source>.txt, heldout/<source>.txt  one paragraph-sized text unit per line (at most about
//                                             1,000 characters, whole sentences), in document order
//   SOURCES.json                              packages, versions, licenses, line and word counts
// Sources: Brown, State of the Union, Moby-Dick, WordNet entries (words, definition, examples),
// Debian fortunes, Jane Austen. The SpamAssassin mails and the quiz are not used (mail headers
// and addresses, and question/answer records, are not prose).
//
// Leakage: every document that has a row in any task's test split (public/tasks/*/test.jsonl, the
// "doc" field) is left out, and so is any other line in which a test input, or one of its
// sentences of 40 characters or more, appears verbatim. Run build_tasks.mjs first.
// Held-out: about 2% of the remaining documents of each source (at least one), chosen by a hash
// of the document id; a document is never split between train and held-out.
// Usage: node tools/data/build_corpus.mjs
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as S from './lib/sources.mjs';
import { clean, cutAtWord, hash32, passages, sentences, textId, wordCount } from './lib/text.mjs';

const OUT = join(S.WORK, 'corpus');
const TASKS = join(S.REPO, 'public', 'tasks');
const LINE_CHARS = 1000;
const HELDOUT = 0.02;
const MIN_LEAK_CHARS = 40;

// ------------------------------------------------------------------------- what tasks test on

function testSets() {
  const index = JSON.parse(readFileSync(join(TASKS, 'index.json'), 'utf8'));
  const docs = new Set();
  const texts = new Set();
  for (const entry of index.tasks) {
    const dir = dirname(join(TASKS, entry.path));
    const manifest = JSON.parse(readFileSync(join(TASKS, entry.path), 'utf8'));
    const lines = readFileSync(join(dir, manifest.splits.test.file), 'utf8').split('\n').filter(Boolean);
    for (const l of lines) {
      const row = JSON.parse(l);
      if (!row.doc) throw new Error(`${entry.id}: a test row has no doc id`);
      docs.add(row.doc);
      if (row.input.length >= MIN_LEAK_CHARS) texts.add(row.input);
      for (const s of sentences(row.input)) if (s.length >= MIN_LEAK_CHARS) texts.add(s);
    }
  }
  return { docs, texts };
}

// ------------------------------------------------------------------------------ the sources

/** Splits a paragraph into lines of whole sentences, each at most LINE_CHARS. */
const toLines = (text) => passages(sentences(clean(text)), LINE_CHARS, 1000);

function brownDocs() {
  const c = S.readBrown();
  return { packages: c.packages, docs: c.docs.map((d) => ({ id: d.id, lines: passages(d.sentences, LINE_CHARS, 1000) })) };
}

function sotuDocs() {
  const c = S.readSotu();
  return { packages: c.packages, docs: c.docs.map((d) => ({ id: d.id, lines: toLines(d.text) })) };
}

function mobyDocs() {
  const c = S.readMobyDick();
  return { packages: c.packages, docs: c.docs.map((d) => ({ id: d.id, lines: d.paragraphs.flatMap(toLines) })) };
}

function austenDocs() {
  const c = S.readAusten();
  return { packages: c.packages, docs: c.chapters.map((ch) => ({ id: ch.id, lines: ch.paragraphs.flatMap(toLines) })) };
}

function wordnetDocs() {
  const c = S.readWordNet();
  const docs = c.synsets.map((s) => {
    const examples = s.examples.map((e) => `"${e}"`).join('; ');
    const entry = `${s.lemmas.join(', ')}: ${s.definition}${examples ? `; ${examples}` : ''}`;
    return { id: s.id, lines: [cutAtWord(entry, LINE_CHARS)], extra: [s.definition] };
  });
  return { packages: c.packages, docs };
}

function fortuneDocs() {
  const c = S.readFortunes();
  const seen = new Set();
  const docs = [];
  for (const f of c.fortunes) {
    const id = `fortune:${textId(f.text)}`; // the id the fortune-topic task uses
    if (seen.has(id)) continue;
    seen.add(id);
    docs.push({ id, lines: f.text.length <= LINE_CHARS ? [f.text] : toLines(f.text) });
  }
  return { packages: c.packages, docs };
}

const SOURCES = [
  { name: 'brown', title: 'Brown Corpus (500 samples of 1961 American English)', unit: 'a Brown file', build: brownDocs },
  { name: 'sotu', title: 'State of the Union addresses 1790-2021', unit: 'a speech', build: sotuDocs },
  { name: 'moby-dick', title: 'Herman Melville, Moby-Dick', unit: 'a chapter', build: mobyDocs },
  { name: 'austen', title: "Jane Austen's six completed novels", unit: 'a chapter', build: austenDocs },
  { name: 'wordnet', title: 'WordNet 3.1 entries: words, definition and example sentences of each synset', unit: 'a synset', build: wordnetDocs },
  { name: 'fortunes', title: 'Debian fortune cookies (all English categories in fortunes and fortunes-min)', unit: 'a fortune', build: fortuneDocs },
];

// ------------------------------------------------------------------------------------- main

function isHeldOut(id) {
  return hash32(`heldout:${id}`) / 2 ** 32 < HELDOUT;
}

function main() {
  const test = testSets();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'train'), { recursive: true });
  mkdirSync(join(OUT, 'heldout'), { recursive: true });
  const report = [];
  const matchedTestDocs = new Set();
  for (const src of SOURCES) {
    const { packages, docs } = src.build();
    const out = { train: [], heldout: [] };
    const docCount = { train: 0, heldout: 0 };
    let excludedDocs = 0;
    let excludedWords = 0;
    let leakLines = 0;
    const kept = [];
    for (const d of docs) {
      if (test.docs.has(d.id)) {
        matchedTestDocs.add(d.id);
        excludedDocs++;
        excludedWords += d.lines.reduce((n, l) => n + wordCount(l), 0);
        continue;
      }
      const lines = d.lines.filter((l) => {
        const leak = [l, ...(d.extra ?? []), ...sentences(l)].some((t) => test.texts.has(t));
        if (leak) {
          leakLines++;
          excludedWords += wordCount(l);
        }
        return !leak && l.trim();
      });
      if (lines.length) kept.push({ id: d.id, lines });
    }
    // At least one held-out document per source: if the hash picks none, take the first picked by
    // the smallest hash.
    let held = new Set(kept.filter((d) => isHeldOut(d.id)).map((d) => d.id));
    if (held.size === 0 && kept.length > 1) {
      const first = kept.reduce((a, b) => (hash32(`heldout:${a.id}`) <= hash32(`heldout:${b.id}`) ? a : b));
      held = new Set([first.id]);
    }
    for (const d of kept) {
      const part = held.has(d.id) ? 'heldout' : 'train';
      out[part].push(...d.lines);
      docCount[part]++;
    }
    const words = {};
    for (const part of ['train', 'heldout']) {
      writeFileSync(join(OUT, part, `${src.name}.txt`), out[part].join('\n') + '\n');
      words[part] = out[part].reduce((n, l) => n + wordCount(l), 0);
    }
    report.push({
      name: src.name,
      title: src.title,
      packages,
      documentUnit: src.unit,
      files: { train: `train/${src.name}.txt`, heldout: `heldout/${src.name}.txt` },
      documents: docCount,
      lines: { train: out.train.length, heldout: out.heldout.length },
      words,
      excluded: { testDocuments: excludedDocs, linesWithTestText: leakLines, words: excludedWords },
    });
  }
  const known = [...test.docs].filter((d) => /^(brown|sotu|austen|wn|fortune):/.test(d));
  const missing = known.filter((d) => !matchedTestDocs.has(d));
  if (missing.length) throw new Error(`test documents not found in the corpus sources: ${missing.slice(0, 5).join(', ')}`);
  const total = (part) => report.reduce((n, r) => n + r.words[part], 0);
  const sources = {
    generatedBy: 'tools/data/build_corpus.mjs',
    format: 'UTF-8 text, one paragraph-sized unit per line (whole sentences, at most about 1,000 characters), documents kept together and in order',
    heldout: `about ${HELDOUT * 100}% of each source's documents (at least one), chosen by a hash of the document id`,
    exclusion: `Every document with a row in any task's test split (public/tasks/*/test.jsonl) is left out (${matchedTestDocs.size} documents), as are lines that contain a test input or one of its sentences of ${MIN_LEAK_CHARS}+ characters verbatim. Not used: npm nlp-corpus (no-republish), SpamAssassin mails, the bsdgames quiz.`,
    words: { train: total('train'), heldout: total('heldout') },
    sources: report,
  };
  writeFileSync(join(OUT, 'SOURCES.json'), JSON.stringify(sources, null, 2) + '\n');
  console.log('| source | train words | held-out words | train lines | excluded test docs | excluded lines with test text | excluded words |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of report) {
    console.log(`| ${r.name} | ${r.words.train} | ${r.words.heldout} | ${r.lines.train} | ${r.excluded.testDocuments} | ${r.excluded.linesWithTestText} | ${r.excluded.words} |`);
  }
  console.log(`| total | ${sources.words.train} | ${sources.words.heldout} | | ${matchedTestDocs.size} | | |`);
}

main();
