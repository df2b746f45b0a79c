import * as tf from '@tensorflow/tfjs';
import { encodeIds, generateGreedy, sequenceLogLikelihood } from '../model/inference';
import type { T5Model } from '../model/t5';
import type { Example, TaskData } from './task-data';

/**
 * Scoring a prompt on a task: rank classification (accuracy and macro-F1) for classification,
 * exact match of the greedy output for generation.
 */
export interface EvalResult {
  metric: 'accuracy' | 'exact_match';
  score: number;
  /** Classification only: the unweighted mean of per-class F1. */
  macroF1?: number;
  count: number;
}

/** Rows encoded per chunk: every row is decoded once per class, so this bounds memory. */
const CHUNK = 16;

/** Log-likelihood of every verbalizer for every input: [E][C]. */
export async function verbalizerScores(
  model: T5Model,
  inputs: string[],
  verbalizers: string[],
  prompt?: tf.Tensor2D,
): Promise<number[][]> {
  const labelIds = verbalizers.map((v) => model.tokenizer.encode(v));
  const c = labelIds.length;
  const scores: number[][] = [];
  for (let start = 0; start < inputs.length; start += CHUNK) {
    const rows = inputs.slice(start, start + CHUNK).map((text) => model.tokenizer.encode(text));
    const chunk = tf.tidy(() => {
      const encoded = encodeIds(model, rows, prompt);
      // Row e is repeated once per class: [e0 c0, e0 c1, ..., e1 c0, ...].
      const repeat = tf.tensor1d(rows.flatMap((_, e) => Array<number>(c).fill(e)), 'int32');
      const tiled = { hidden: tf.gather(encoded.hidden, repeat), mask: tf.gather(encoded.mask, repeat) };
      return sequenceLogLikelihood(model, tiled, rows.flatMap(() => labelIds));
    });
    const flat = await chunk.data();
    chunk.dispose();
    for (let e = 0; e < rows.length; e++) scores.push(Array.from(flat.subarray(e * c, (e + 1) * c)));
  }
  return scores;
}

export function accuracyAndMacroF1(predicted: number[], gold: number[], numClasses: number): { accuracy: number; macroF1: number } {
  let correct = 0;
  const tp = new Array<number>(numClasses).fill(0);
  const fp = new Array<number>(numClasses).fill(0);
  const fn = new Array<number>(numClasses).fill(0);
  predicted.forEach((p, i) => {
    if (p === gold[i]) {
      correct++;
      tp[p]++;
    } else {
      fp[p]++;
      fn[gold[i]]++;
    }
  });
  const f1 = tp.map((t, k) => (t === 0 ? 0 : (2 * t) / (2 * t + fp[k] + fn[k])));
  return { accuracy: predicted.length ? correct / predicted.length : 0, macroF1: f1.reduce((a, b) => a + b, 0) / numClasses };
}

export async function evaluate(model: T5Model, task: TaskData, examples: Example[], prompt?: tf.Tensor2D): Promise<EvalResult> {
  if (task.kind === 'classification') {
    const scores = await verbalizerScores(
      model,
      examples.map((e) => e.input),
      task.verbalizers,
      prompt,
    );
    const predicted = scores.map((s) => s.indexOf(Math.max(...s)));
    const gold = examples.map((e) => task.verbalizers.indexOf(e.target));
    const { accuracy, macroF1 } = accuracyAndMacroF1(predicted, gold, task.verbalizers.length);
    return { metric: 'accuracy', score: accuracy, macroF1, count: examples.length };
  }
  let exact = 0;
  for (const e of examples) {
    const targetIds = model.tokenizer.encode(e.target);
    const ids = await generateGreedy(model, model.tokenizer.encode(e.input), targetIds.length + 4, prompt);
    if (model.tokenizer.decode(ids).trim() === e.target.trim()) exact++;
  }
  return { metric: 'exact_match', score: examples.length ? exact / examples.length : 0, count: examples.length };
}
