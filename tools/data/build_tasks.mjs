#!/usr/bin/env node
// Builds the built-in tasks in public/tasks/ from packaged text (see README.md).
// Every label comes from the data: a Brown file's genre, a speech's year or party, a synset's
// lexicographer file or relation, a mail's folder, a fortune's file, a paragraph's novel, the
// Liu lexicon's polarity of a word, the quiz's own answer field.
// Deterministic: fixed seeds, sorted inputs. Usage: node tools/data/build_tasks.mjs
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as S from './lib/sources.mjs';
import { hashSplit, SPLITS, stratifiedSplit } from './lib/splits.mjs';
import { passages, sentences, shuffled, textId, truncate, cutAtWord } from './lib/text.mjs';

const OUT = join(S.REPO, 'public', 'tasks');
const SEED = 'mpt-tasks-v1';
const CAPS = { train: 2000, validation: 300, test: 500 };
const MAX_CHARS = 280; // about 64 T5 tokens of English prose
const MIN_CHARS = 20;

// ------------------------------------------------------------------ collections, loaded once

const cache = new Map();
const once = (key, fn) => () => {
  if (!cache.has(key)) cache.set(key, fn());
  return cache.get(key);
};

const brown = once('brown', () => {
  const c = S.readBrown();
  const split = stratifiedSplit(c.docs.map((d) => ({ id: d.id, stratum: d.genre })), `${SEED}:brown`);
  return { ...c, split };
});

const SOTU_ERAS = [
  { label: '1790-1860', verbalizer: 'early', from: 1790, to: 1860 },
  { label: '1861-1932', verbalizer: 'middle', from: 1861, to: 1932 },
  { label: '1933-1980', verbalizer: 'modern', from: 1933, to: 1980 },
  { label: '1981-2021', verbalizer: 'recent', from: 1981, to: 2100 },
];
const eraOf = (year) => SOTU_ERAS.find((e) => year >= e.from && year <= e.to);

const sotu = once('sotu', () => {
  const c = S.readSotu();
  // Split unit: the speech. Strata: era x party, so both parties reach every split.
  const split = stratifiedSplit(c.docs.map((d) => ({ id: d.id, stratum: `${eraOf(d.year).label}:${d.party}` })), `${SEED}:sotu`);
  const docs = c.docs.map((d) => ({ ...d, passages: passages(sentences(d.text), MAX_CHARS, 3) }));
  return { ...c, docs, split };
});

const wordnet = once('wordnet', () => {
  const c = S.readWordNet();
  const byId = new Map(c.synsets.map((s) => [s.id, s]));
  return { ...c, byId, splitOf: (id) => hashSplit(id, `${SEED}:wordnet`) };
});

const spam = once('spam', () => S.readSpam());
const fortunes = once('fortunes', () => S.readFortunes());
const quiz = once('quiz', () => S.readQuiz());
const liu = once('liu', () => S.readLiu());
const austen = once('austen', () => {
  const c = S.readAusten();
  const split = stratifiedSplit(c.chapters.map((ch) => ({ id: ch.id, stratum: ch.book })), `${SEED}:austen`);
  return { ...c, split };
});

// ----------------------------------------------------------------------------------- tasks

const BROWN_GENRES = {
  adventure: 'adventure', belles_lettres: 'essay', editorial: 'editorial', fiction: 'fiction',
  government: 'government', hobbies: 'hobbies', humor: 'humor', learned: 'academic', lore: 'lore',
  mystery: 'mystery', news: 'news', religion: 'religion', reviews: 'review', romance: 'romance',
  science_fiction: 'scifi',
};

const FORTUNE_TOPICS = {
  computers: ['computers', 'linux', 'linuxcookie', 'perl', 'debian'],
  politics: ['politics'],
  science: ['science'],
  work: ['work'],
  love: ['love', 'men-women'],
  food: ['food'],
  law: ['law'],
  education: ['education'],
  sports: ['sports'],
  literature: ['literature'],
};

const AUSTEN_VERBALIZERS = {
  sensesensibility: 'sense', prideprejudice: 'pride', mansfieldpark: 'mansfield', emma: 'emma',
  northangerabbey: 'northanger', persuasion: 'persuasion',
};

// Quiz fields turned into "<answer field name> of <question field>" questions: [file, from, to].
const QUIZ_QUESTIONS = [
  ['africa', 0, 1], ['america', 0, 1], ['asia', 0, 1], ['europe', 0, 1], ['province', 0, 1],
  ['state', 0, 1], ['state', 0, 2], ['collectives', 0, 1], ['babies', 0, 1], ['sexes', 0, 1],
  ['posneg', 0, 1], ['elements', 0, 3], ['elements', 3, 0], ['latin', 0, 1], ['pres', 0, 3],
  ['flowers', 0, 1], ['sov', 0, 2], ['murders', 0, 1], ['inca', 0, 1],
];

const nounLexnames = S.LEXNAMES.filter((l) => l.startsWith('noun.') && l !== 'noun.Tops');
const verbLexnames = S.LEXNAMES.filter((l) => l.startsWith('verb.'));
const lexLabels = (names) => names.map((n) => ({ label: n, verbalizer: n.split('.')[1] }));

const wnDocText = 'a WordNet synset (one sense: its definition, examples and words)';

const TASKS = [
  {
    id: 'brown-genre',
    name: 'Brown genre',
    description: 'Guess which of the 15 genres of the Brown Corpus a short passage of American English from 1961 comes from, such as news, romance or learned writing.',
    role: 'source',
    kind: 'classification',
    template: 'genre: {input}',
    labels: Object.entries(BROWN_GENRES).map(([label, verbalizer]) => ({ label, verbalizer })),
    packages: () => brown().packages,
    labelDerivation: "Each passage takes the genre that the corpus's own cats.txt gives to the file it comes from.",
    splitUnit: 'a Brown corpus file (one text sample of about 2,000 words)',
    perDoc: 40,
    candidates: () =>
      brown().docs.flatMap((d) =>
        passages(d.sentences, MAX_CHARS, 3).map((p) => ({ input: p, label: BROWN_GENRES[d.genre], doc: d.id, split: brown().split.get(d.id) })),
      ),
  },
  {
    id: 'sotu-era',
    name: 'State of the Union era',
    description: "Guess in which period a passage of a US president's State of the Union address was delivered: 1790-1860, 1861-1932, 1933-1980 or 1981-2021.",
    role: 'source',
    kind: 'classification',
    template: 'era: {input}',
    labels: SOTU_ERAS.map(({ label, verbalizer }) => ({ label, verbalizer })),
    packages: () => sotu().packages,
    labelDerivation: 'Each passage takes the period that contains the year recorded with its speech.',
    splitUnit: 'a State of the Union speech',
    perDoc: 15,
    candidates: () =>
      sotu().docs.flatMap((d) => d.passages.map((p) => ({ input: p, label: eraOf(d.year).verbalizer, doc: d.id, split: sotu().split.get(d.id) }))),
  },
  {
    id: 'wordnet-noun-supersense',
    name: 'Noun supersense',
    description: 'Read the dictionary definition of a noun sense and name its broad category (its WordNet supersense), such as person, artifact, animal or feeling.',
    role: 'source',
    kind: 'classification',
    template: 'noun supersense: {input}',
    labels: lexLabels(nounLexnames),
    packages: () => wordnet().packages,
    labelDerivation: 'Each definition takes the lexicographer file (supersense) that WordNet assigns to its synset.',
    splitUnit: wnDocText,
    perDoc: 1,
    candidates: () =>
      wordnet()
        .synsets.filter((s) => s.pos === 'n' && s.lexname !== 'noun.Tops')
        .map((s) => ({ input: cutAtWord(s.definition, MAX_CHARS), label: s.lexname.split('.')[1], doc: s.id, split: wordnet().splitOf(s.id) })),
  },
  {
    id: 'wordnet-relation',
    name: 'Word relation',
    description: 'Given two words or phrases, say whether the second one means the same as the first (synonym), the opposite (antonym), or a broader kind of thing or action (hypernym).',
    role: 'source',
    kind: 'classification',
    template: 'relation: {input}',
    labels: [
      { label: 'synonym', verbalizer: 'synonym' },
      { label: 'antonym', verbalizer: 'antonym' },
      { label: 'hypernym', verbalizer: 'hypernym' },
    ],
    packages: () => wordnet().packages,
    labelDerivation: 'Synonyms are two words of one synset, antonyms are WordNet antonym links between words, hypernyms are the first words of a synset and of the synset its hypernym link points to; pairs that WordNet gives two relations are dropped.',
    splitUnit: 'the WordNet synset of the first word of the pair',
    perDoc: 1,
    candidates: () => {
      const wn = wordnet();
      const out = [];
      const add = (a, b, label, doc) => {
        if (a.toLowerCase() === b.toLowerCase()) return;
        out.push({ input: `${a}, ${b}`, label, doc, split: wn.splitOf(doc) });
      };
      for (const s of wn.synsets) {
        if (s.lemmas.length >= 2) add(s.lemmas[0], s.lemmas[1], 'synonym', s.id);
        for (const p of s.pointers) {
          const t = wn.byId.get(p.target);
          if (!t) continue;
          if (p.symbol === '!' && p.src > 0 && p.dst > 0) {
            const a = s.lemmas[p.src - 1];
            const b = t.lemmas[p.dst - 1];
            if (a < b) add(a, b, 'antonym', s.id); // each antonym pair once, in alphabetical order
          } else if (p.symbol === '@' && (s.pos === 'n' || s.pos === 'v')) add(s.lemmas[0], t.lemmas[0], 'hypernym', s.id);
        }
      }
      return out;
    },
  },
  {
    id: 'spam',
    name: 'Spam or ham',
    description: 'Decide whether an e-mail (its subject and the start of its text) is unsolicited bulk mail (spam) or ordinary mail (ham), using the 2002 SpamAssassin public corpus.',
    role: 'source',
    kind: 'classification',
    template: 'spam: {input}',
    labels: [
      { label: 'spam', verbalizer: 'spam' },
      { label: 'ham', verbalizer: 'ham' },
    ],
    packages: () => spam().packages,
    labelDerivation: "Each mail takes the corpus's own folder: spam-1 and spam-2 are spam, easy-ham-1, easy-ham-2 and hard-ham-1 are ham.",
    splitUnit: 'a mail thread (mails whose subjects are equal once Re:/Fwd: and [list] tags are removed)',
    perDoc: 2,
    candidates: () =>
      spam()
        .mails.filter((m) => m.body.length >= MIN_CHARS)
        .map((m) => {
          const thread = threadKey(m.subject);
          const doc = thread ? `mail-thread:${textId(thread)}` : m.id;
          const input = truncate(`subject: ${m.subject || '(none)'} body: ${m.body}`, MAX_CHARS);
          return { input, label: m.label, doc, split: hashSplit(doc, `${SEED}:spam`) };
        }),
  },
  {
    id: 'fortune-topic',
    name: 'Fortune topic',
    description: 'Name the topic of a short quotation or joke from the Unix fortune collection, such as computers, politics, love or food.',
    role: 'source',
    kind: 'classification',
    template: 'topic: {input}',
    labels: Object.keys(FORTUNE_TOPICS).map((t) => ({ label: `${t} (${FORTUNE_TOPICS[t].join(', ')})`, verbalizer: t })),
    packages: () => fortunes().packages,
    labelDerivation: 'Each fortune takes the topic of the fortune file it is in (several files are grouped into one topic, see the label names); fortunes found in two topics are dropped.',
    splitUnit: 'a fortune (one quotation or joke)',
    perDoc: 1,
    candidates: () => {
      const topicOf = new Map(Object.entries(FORTUNE_TOPICS).flatMap(([t, files]) => files.map((f) => [f, t])));
      return fortunes()
        .fortunes.filter((f) => topicOf.has(f.category) && f.text.length <= MAX_CHARS && f.text.length >= MIN_CHARS)
        .map((f) => {
          const doc = `fortune:${textId(f.text)}`;
          return { input: f.text, label: topicOf.get(f.category), doc, split: hashSplit(doc, `${SEED}:fortunes`) };
        });
    },
  },
  {
    id: 'wordnet-define',
    name: 'Reverse dictionary',
    description: 'Read a dictionary definition and write the word it defines (the first word WordNet lists for that sense); any part of speech.',
    role: 'source',
    kind: 'generation',
    template: 'word for: {input}',
    packages: () => wordnet().packages,
    labelDerivation: 'The target is the first word (lemma) of the synset whose definition is the input.',
    splitUnit: wnDocText,
    perDoc: 1,
    candidates: () =>
      wordnet()
        .synsets.filter((s) => !new RegExp(`\\b${escapeRe(s.lemmas[0])}\\b`, 'i').test(s.definition))
        .map((s) => ({ input: cutAtWord(s.definition, MAX_CHARS), label: s.lemmas[0], doc: s.id, split: wordnet().splitOf(s.id) })),
  },
  {
    id: 'sotu-party',
    name: 'State of the Union party',
    description: "Guess whether a passage of a State of the Union address was delivered by a Democratic or a Republican president.",
    role: 'target',
    kind: 'classification',
    template: 'party: {input}',
    labels: [
      { label: 'Democratic', verbalizer: 'democrat' },
      { label: 'Republican', verbalizer: 'republican' },
    ],
    packages: () => sotu().packages,
    labelDerivation: "Each passage takes the party recorded with its speech; speeches by presidents of other parties (Federalist, Whig, ...) are left out.",
    splitUnit: 'a State of the Union speech',
    perDoc: 15,
    candidates: () =>
      sotu()
        .docs.filter((d) => d.party === 'Democratic' || d.party === 'Republican')
        .flatMap((d) => d.passages.map((p) => ({ input: p, label: d.party === 'Democratic' ? 'democrat' : 'republican', doc: d.id, split: sotu().split.get(d.id) }))),
  },
  {
    id: 'wordnet-verb-supersense',
    name: 'Verb supersense',
    description: 'Read the dictionary definition of a verb sense and name its broad category (its WordNet supersense), such as motion, communication, change or emotion.',
    role: 'target',
    kind: 'classification',
    template: 'verb supersense: {input}',
    labels: lexLabels(verbLexnames),
    packages: () => wordnet().packages,
    labelDerivation: 'Each definition takes the lexicographer file (supersense) that WordNet assigns to its synset.',
    splitUnit: wnDocText,
    perDoc: 1,
    candidates: () =>
      wordnet()
        .synsets.filter((s) => s.pos === 'v')
        .map((s) => ({ input: cutAtWord(s.definition, MAX_CHARS), label: s.lexname.split('.')[1], doc: s.id, split: wordnet().splitOf(s.id) })),
  },
  {
    id: 'austen-novel',
    name: 'Austen novel',
    description: "Guess which of Jane Austen's six completed novels a paragraph comes from.",
    role: 'target',
    kind: 'classification',
    template: 'novel: {input}',
    labels: Object.entries(AUSTEN_VERBALIZERS).map(([book, verbalizer]) => ({ label: S.AUSTEN_TITLES[book], verbalizer })),
    packages: () => austen().packages,
    labelDerivation: 'Each paragraph takes the novel whose text it is part of.',
    splitUnit: 'a chapter of a novel',
    perDoc: 12,
    candidates: () =>
      austen().chapters.flatMap((ch) =>
        ch.paragraphs
          .filter((p) => p.length >= 80)
          .map((p) => ({ input: truncate(p, MAX_CHARS), label: AUSTEN_VERBALIZERS[ch.book], doc: ch.id, split: austen().split.get(ch.id) })),
      ),
  },
  {
    id: 'word-polarity',
    name: 'Word polarity',
    description: 'Read the dictionary definition of a word sense and say whether the word is a positive or a negative opinion word.',
    role: 'target',
    kind: 'classification',
    template: 'polarity: {input}',
    labels: [
      { label: 'positive', verbalizer: 'positive' },
      { label: 'negative', verbalizer: 'negative' },
    ],
    packages: () => [...wordnet().packages, ...liu().packages],
    labelDerivation: "Each WordNet definition takes the polarity that Liu and Hu's opinion lexicon gives to the synset's words; synsets whose words get both polarities are dropped.",
    splitUnit: wnDocText,
    perDoc: 1,
    candidates: () => {
      const { positive, negative } = liu();
      const out = [];
      for (const s of wordnet().synsets) {
        const words = s.lemmas.map((l) => l.toLowerCase());
        const pos = words.some((w) => positive.has(w));
        const neg = words.some((w) => negative.has(w));
        if (pos === neg) continue;
        out.push({ input: cutAtWord(s.definition, MAX_CHARS), label: pos ? 'positive' : 'negative', doc: s.id, split: wordnet().splitOf(s.id) });
      }
      return out;
    },
  },
  {
    id: 'quiz',
    name: 'Quiz answers',
    description: 'Answer a short trivia question such as "capital of Peru" or "female of gander" with a word or a name, from the BSD quiz game.',
    role: 'target',
    kind: 'generation',
    template: 'quiz: {input}',
    packages: () => quiz().packages,
    labelDerivation: "The question joins the quiz's own field names (\"<answer field> of <question>\") and the target is the answer field of the same record, first alternative, optional parts kept.",
    splitUnit: 'a quiz record (one line of a quiz file, e.g. one country and its capital)',
    perDoc: 3,
    candidates: () =>
      quiz().records.flatMap((r) =>
        QUIZ_QUESTIONS.filter(([file]) => file === r.file)
          .map(([, from, to]) => ({ q: r.fields[from], a: r.fields[to], name: r.names[to] }))
          .filter(({ q, a }) => q && a && !/^(gok|\?+)$/i.test(a))
          .map(({ q, a, name }) => ({ input: `${name} of ${q}`, label: a, doc: r.id, split: hashSplit(r.id, `${SEED}:quiz`) })),
      ),
  },
];

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function threadKey(subject) {
  let s = subject.toLowerCase();
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(/^\s*((re|fw|fwd|aw)(\[\d+\])?\s*:|\[[^\]]*\])\s*/, '');
  }
  return s.replace(/\s+/g, ' ').trim();
}

// ------------------------------------------------------------------------------- assembly

const PRIORITY = { test: 0, validation: 1, train: 2 };
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

function assemble(task) {
  const verbalizers = task.labels ? new Set(task.labels.map((l) => l.verbalizer)) : null;
  const raw = task.candidates().filter((c) => c.input.length >= (task.kind === 'generation' ? 3 : MIN_CHARS));
  for (const c of raw) {
    if (verbalizers && !verbalizers.has(c.label)) throw new Error(`${task.id}: label ${c.label} is not a verbalizer`);
    if (c.input.length > MAX_CHARS) throw new Error(`${task.id}: input longer than ${MAX_CHARS}: ${c.input}`);
    if (!SPLITS.includes(c.split)) throw new Error(`${task.id}: ${c.doc} has no split`);
  }
  // One row per distinct input: an input seen with two labels is dropped; an input seen in two
  // splits is kept only in the one that comes first in test, validation, train.
  const byInput = new Map();
  for (const c of raw) {
    if (!byInput.has(c.input)) byInput.set(c.input, []);
    byInput.get(c.input).push(c);
  }
  let conflicting = 0;
  let duplicates = 0;
  const kept = [];
  for (const group of byInput.values()) {
    if (new Set(group.map((g) => g.label)).size > 1) {
      conflicting += group.length;
      continue;
    }
    group.sort((a, b) => PRIORITY[a.split] - PRIORITY[b.split] || cmp(a.doc, b.doc));
    kept.push(group[0]);
    duplicates += group.length - 1;
  }
  // Sampling: each label gets its own shuffled queue and the labels take turns (round robin),
  // so classes are as balanced as the data allows; at most perDoc rows come from one document.
  const rows = {};
  for (const split of SPLITS) {
    const pool = shuffled(
      kept.filter((c) => c.split === split).sort((a, b) => cmp(a.doc, b.doc) || cmp(a.input, b.input)),
      `${SEED}:${task.id}:${split}`,
    );
    const queues = new Map();
    for (const c of pool) {
      const key = verbalizers ? c.label : '';
      if (!queues.has(key)) queues.set(key, []);
      queues.get(key).push(c);
    }
    const order = [...queues.keys()].sort();
    const next = new Map(order.map((k) => [k, 0]));
    const perDoc = new Map();
    const picked = [];
    for (let open = true; open && picked.length < CAPS[split]; ) {
      open = false;
      for (const key of order) {
        if (picked.length >= CAPS[split]) break;
        const q = queues.get(key);
        let i = next.get(key);
        while (i < q.length && (perDoc.get(q[i].doc) ?? 0) >= task.perDoc) i++;
        if (i >= q.length) {
          next.set(key, i);
          continue;
        }
        const c = q[i];
        next.set(key, i + 1);
        open = true;
        perDoc.set(c.doc, (perDoc.get(c.doc) ?? 0) + 1);
        picked.push({ input: c.input, label: c.label, doc: c.doc });
      }
    }
    rows[split] = shuffled(picked, `${SEED}:${task.id}:${split}:order`);
  }
  return { rows, stats: { candidates: raw.length, conflicting, duplicates } };
}

function splitInfo(task, rows) {
  const info = { file: null, count: rows.length, documents: new Set(rows.map((r) => r.doc)).size };
  if (task.labels) {
    info.labelCounts = Object.fromEntries(task.labels.map((l) => [l.verbalizer, rows.filter((r) => r.label === l.verbalizer).length]));
  }
  return info;
}

function main() {
  const only = process.argv.slice(2);
  if (!only.length) rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const index = [];
  for (const task of TASKS) {
    if (only.length && !only.includes(task.id)) continue;
    const t0 = Date.now();
    const { rows, stats } = assemble(task);
    const dir = join(OUT, task.id);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const splits = {};
    for (const split of SPLITS) {
      const file = `${split}.jsonl`;
      writeFileSync(join(dir, file), rows[split].map((r) => JSON.stringify(r)).join('\n') + '\n');
      splits[split] = { ...splitInfo(task, rows[split]), file };
    }
    const manifest = {
      id: task.id,
      name: task.name,
      description: task.description,
      role: task.role,
      kind: task.kind,
      template: task.template,
      ...(task.labels ? { labels: task.labels } : {}),
      metric: task.kind === 'classification' ? 'accuracy' : 'exact_match',
      splits,
      source: {
        packages: task.packages(),
        labelDerivation: task.labelDerivation,
        splitUnit: task.splitUnit,
      },
    };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    index.push({ id: task.id, role: task.role, kind: task.kind, path: `${task.id}/manifest.json` });
    const counts = SPLITS.map((s) => rows[s].length).join('/');
    console.log(
      `${task.id.padEnd(26)} ${task.role.padEnd(6)} ${counts.padEnd(14)} candidates ${stats.candidates}, dropped ${stats.conflicting} with two labels, ${stats.duplicates} duplicate inputs (${Date.now() - t0} ms)`,
    );
  }
  if (!only.length) {
    writeFileSync(join(OUT, 'index.json'), JSON.stringify({ version: 1, tasks: index }, null, 2) + '\n');
  }
}

main();
