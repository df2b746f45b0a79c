import type { EncodedExample } from './batches';
import { seededRandom } from './random';

/**
 * Multitask batches. Each row picks a task, then an example of it. Tasks are weighted by
 * their size capped at `cap` (examples-proportional mixing, T5 §3.5.2) or equally (uniform).
 * The rows of step s depend only on (seed, s), so a run resumed from a checkpoint at step s
 * sees exactly the batches it would have seen.
 */
export type Mixing = { kind: 'proportional'; cap: number } | { kind: 'uniform' };

export function makeSampler(
  tasks: EncodedExample[][],
  batchSize: number,
  mixing: Mixing,
  seed: number,
): (step: number) => EncodedExample[] {
  const nonEmpty = tasks.map((t, i) => ({ examples: t, index: i })).filter((t) => t.examples.length > 0);
  if (nonEmpty.length === 0) throw new Error('no training examples in any task');
  const weights = nonEmpty.map((t) => (mixing.kind === 'uniform' ? 1 : Math.min(t.examples.length, mixing.cap)));
  const total = weights.reduce((a, b) => a + b, 0);
  return (step) => {
    const random = seededRandom(seed * 1_000_003 + step);
    return Array.from({ length: batchSize }, () => {
      let r = random() * total;
      let t = 0;
      while (r >= weights[t] && t < weights.length - 1) r -= weights[t++];
      const examples = nonEmpty[t].examples;
      return examples[Math.floor(random() * examples.length)];
    });
  };
}
