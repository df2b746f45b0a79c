// Text helpers: seeded randomness, whitespace clean-up, sentence splitting, truncation.
import { createHash } from 'node:crypto';

/** 32-bit FNV-1a hash of a string, finished with murmur3's avalanche so that ids that differ
 *  only in their last characters still get unrelated high bits. */
export function hash32(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Short stable id for a text (first 10 hex digits of its SHA-1). */
export function textId(s) {
  return createHash('sha1').update(s).digest('hex').slice(0, 10);
}

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function rng(seed) {
  let a = typeof seed === 'string' ? hash32(seed) : seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of a copy, driven by a seed string. */
export function shuffled(items, seed) {
  const out = items.slice();
  const rand = rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Collapse runs of whitespace, drop control characters, trim. */
export function clean(s) {
  return s
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const ABBREVIATIONS = new Set(
  'mr mrs ms dr st jr sr vs etc no co inc ltd gen col capt lt sgt rev hon gov sen rep prof mt ft u.s u.k e.g i.e a.m p.m jan feb mar apr jun jul aug sep sept oct nov dec'.split(
    ' ',
  ),
);

/** Split prose into sentences (a heuristic: end punctuation, then space, then a capital or quote). */
export function sentences(text) {
  const out = [];
  const re = /[.!?]+["'\u201d\u2019)\]]*\s+(?=["'\u201c\u2018(\[]?[A-Z0-9])/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const end = m.index + m[0].length;
    const before = text.slice(start, m.index + 1);
    const lastWord = /([A-Za-z.]+)\.$/.exec(before)?.[1]?.toLowerCase();
    if (lastWord && (ABBREVIATIONS.has(lastWord) || /^[a-z]$/.test(lastWord))) continue;
    out.push(text.slice(start, end).trim());
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/** Cut text to at most max characters at a word boundary (no ellipsis is added). */
export function cutAtWord(text, max) {
  if (text.length <= max) return text;
  const cut = text.slice(0, max + 1);
  const at = cut.lastIndexOf(' ');
  return (at > max * 0.5 ? cut.slice(0, at) : text.slice(0, max)).replace(/[\s,;:(\-]+$/, '');
}

/** Keep whole sentences while they fit in max characters; a first sentence that is too long is cut at a word. */
export function truncate(text, max) {
  if (text.length <= max) return text;
  const sents = sentences(text);
  let out = '';
  for (const s of sents) {
    const next = out ? `${out} ${s}` : s;
    if (next.length > max) break;
    out = next;
  }
  return out || cutAtWord(text, max);
}

/**
 * Group consecutive sentences into passages of at most maxSentences sentences and max characters.
 * Passages do not overlap; sentences longer than max are cut at a word boundary and stand alone.
 */
export function passages(sents, max, maxSentences = 3) {
  const out = [];
  let cur = [];
  let len = 0;
  const flush = () => {
    if (cur.length) out.push(cur.join(' '));
    cur = [];
    len = 0;
  };
  for (const raw of sents) {
    const s = raw.length > max ? cutAtWord(raw, max) : raw;
    if (cur.length && (len + 1 + s.length > max || cur.length >= maxSentences)) flush();
    cur.push(s);
    len += (len ? 1 : 0) + s.length;
  }
  flush();
  return out;
}

export function wordCount(s) {
  const m = s.match(/\S+/g);
  return m ? m.length : 0;
}
