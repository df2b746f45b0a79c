// Document-level train/validation/test assignment, made once per collection and shared by every
// task built on that collection, so that a document in one task's test split is never in another
// task's train split (a source task cannot leak a target task's test text).
import { hash32, shuffled } from './text.mjs';

export const SPLITS = ['train', 'validation', 'test'];
const TEST = 0.2;
const VALIDATION = 0.1;

/**
 * Stratified assignment for small collections: within each stratum the units are shuffled with a
 * fixed seed, then about 20% go to test and 10% to validation (at least one each when the stratum
 * has three or more units). units: [{ id, stratum }]. Returns Map(id -> split).
 */
export function stratifiedSplit(units, seed) {
  const byStratum = new Map();
  for (const u of units) {
    if (!byStratum.has(u.stratum)) byStratum.set(u.stratum, []);
    byStratum.get(u.stratum).push(u.id);
  }
  const out = new Map();
  for (const stratum of [...byStratum.keys()].sort()) {
    const ids = shuffled([...new Set(byStratum.get(stratum))].sort(), `${seed}:${stratum}`);
    const n = ids.length;
    const nTest = n >= 3 ? Math.max(1, Math.round(n * TEST)) : 0;
    const nVal = n >= 3 ? Math.max(1, Math.round(n * VALIDATION)) : 0;
    ids.forEach((id, i) => out.set(id, i < nTest ? 'test' : i < nTest + nVal ? 'validation' : 'train'));
  }
  return out;
}

/** Hash assignment for large collections: the same id always lands in the same split. */
export function hashSplit(id, seed) {
  const u = hash32(`${seed}:${id}`) / 2 ** 32;
  return u < TEST ? 'test' : u < TEST + VALIDATION ? 'validation' : 'train';
}
