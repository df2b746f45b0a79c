import * as tf from '@tensorflow/tfjs';
import { generateGreedy, labelLogLikelihoods } from '../model/inference';
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
  /**
   * Classification only: mean -log p(gold label), p the softmax over the verbalizers' sequence
   * log-likelihoods. Smoother than accuracy; scoring every label alike gives log C. Confidently
   * favouring one label (or long verbalizers with low likelihood) can put it far above log C.
   */
  crossEntropy?: number;
  count: number;
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

export function verbalizerCrossEntropy(logLikelihoods: number[][], gold: number[]): number {
  let total = 0;
  logLikelihoods.forEach((row, i) => {
    const max = Math.max(...row);
    const logSumExp = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
    total += logSumExp - row[gold[i]];
  });
  return logLikelihoods.length ? total / logLikelihoods.length : 0;
}

export async function evaluate(model: T5Model, task: TaskData, examples: Example[], prompt?: tf.Tensor2D): Promise<EvalResult> {
  if (task.kind === 'classification') {
    const scores = await labelLogLikelihoods(
      model,
      examples.map((e) => model.tokenizer.encode(e.input)),
      task.verbalizers.map((v) => model.tokenizer.encode(v)),
      prompt,
    );
    const predicted = scores.map((s) => s.indexOf(Math.max(...s)));
    const gold = examples.map((e) => task.verbalizers.indexOf(e.target));
    const { accuracy, macroF1 } = accuracyAndMacroF1(predicted, gold, task.verbalizers.length);
    const crossEntropy = verbalizerCrossEntropy(scores, gold);
    return { metric: 'accuracy', score: accuracy, macroF1, crossEntropy, count: examples.length };
  }
  let exact = 0;
  for (const e of examples) {
    const targetIds = model.tokenizer.encode(e.target);
    const ids = await generateGreedy(model, model.tokenizer.encode(e.input), targetIds.length + 4, prompt);
    if (model.tokenizer.decode(ids).trim() === e.target.trim()) exact++;
  }
  return { metric: 'exact_match', score: examples.length ? exact / examples.length : 0, count: examples.length };
}
