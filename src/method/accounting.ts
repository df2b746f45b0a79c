import type { T5Config } from '../model/config';
import { expectedShapes } from '../model/weights';

/**
 * Exact parameter counts for any loaded T5: what stays frozen and what each method trains per
 * task. MPT's per-task share is l·d (its copy of P*) + (l + d)·r for U and V.
 */
export interface ParameterBudget {
  frozen: number;
  promptTuningPerTask: number; // l·d
  mptSharedPrompt: number; // l·d, shared by the source tasks
  mptTaskVectorsPerTask: number; // (l + d)·r
  /** A target task: its P* copy and its u, v. */
  mptPerTargetTask: number;
  mptShareOfModel: number; // mptPerTargetTask / frozen
}

export function modelParameterCount(config: T5Config): number {
  let n = 0;
  for (const shape of expectedShapes(config).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

export function parameterBudget(config: T5Config, promptLength: number, rank: number): ParameterBudget {
  const frozen = modelParameterCount(config);
  const prompt = promptLength * config.dModel;
  const taskVectors = (promptLength + config.dModel) * rank;
  return {
    frozen,
    promptTuningPerTask: prompt,
    mptSharedPrompt: prompt,
    mptTaskVectorsPerTask: taskVectors,
    mptPerTargetTask: prompt + taskVectors,
    mptShareOfModel: (prompt + taskVectors) / frozen,
  };
}

/** Houlsby adapters' bottleneck width m assumed in the comparison table. */
export const ADAPTER_BOTTLENECK = 64;
/** ATTEMPT's attention module projects d down to this size and back (Asai et al. 2022). */
export const ATTEMPT_ATTENTION_DIM = 100;

/** One row of the comparison: what a method trains and stores for each new (target) task. */
export interface MethodBudget {
  method: string;
  perTask: number;
  /** perTask / the model's parameter count. */
  shareOfModel: number;
  /** The formula in symbols, then with this model's numbers. */
  formula: string;
  /** What was assumed, and what the count leaves out. */
  note: string;
}

/** Layer norms in a T5: two per encoder block, three per decoder block, and a final one in each stack. */
export function layerNormCount(config: T5Config): number {
  return 2 * config.numLayers + 3 * config.numDecoderLayers + 2;
}

/**
 * Trained parameters per target task for MPT and the methods the paper compares it with, all
 * computed from the model's config. `numSources` (K) only enters MPT's one-off source stage.
 */
export function methodBudgets(config: T5Config, promptLength: number, rank: number, numSources: number): MethodBudget[] {
  const total = modelParameterCount(config);
  const d = config.dModel;
  const l = promptLength;
  const r = rank;
  const layers = config.numLayers + config.numDecoderLayers;
  const m = ADAPTER_BOTTLENECK;
  const a = ATTEMPT_ATTENTION_DIM;
  const norms = layerNormCount(config);
  const row = (method: string, perTask: number, formula: string, note: string): MethodBudget => ({
    method,
    perTask,
    shareOfModel: perTask / total,
    formula,
    note,
  });
  return [
    row('Full fine-tuning', total, `every weight = ${total}`, 'A whole copy of the model per task.'),
    row(
      'Adapters (Houlsby)',
      2 * layers * (2 * d * m + d + m),
      `2·(L_enc + L_dec)·(2·d·m + d + m) = 2·${layers}·(2·${d}·${m} + ${d} + ${m})`,
      `Assumed: bottleneck m = ${m}, two adapters per block (after attention and after the feed-forward; decoder cross-attention gets none), each a down- and an up-projection with biases. Layer norms, which Houlsby et al. also tune, are not counted.`,
    ),
    row(
      'BitFit',
      norms * d,
      `n_LN·d = (2·L_enc + 3·L_dec + 2)·d = ${norms}·${d}`,
      'T5 has no bias terms, so BitFit proper has nothing to train (0). Counted instead: every layer-norm scale, the closest analogue (one d-vector per layer norm).',
    ),
    row('Prompt tuning', l * d, `l·d = ${l}·${d}`, 'One soft prompt per task, trained from scratch.'),
    row('SPoT', l * d, `l·d = ${l}·${d}`, 'Same as prompt tuning per task; the prompt starts from a source prompt trained beforehand.'),
    row(
      'ATTEMPT',
      l * d + 2 * d * a + 2 * d,
      `l·d + 2·d·a + 2·d = ${l}·${d} + 2·${d}·${a} + 2·${d}`,
      `The target prompt plus the attention module over the frozen source prompts: W_down [d, a] and W_up [a, d] without biases, a = ${a}, and a layer norm (scale and bias, 2·d), as in Asai et al. 2022.`,
    ),
    row(
      'MPT',
      l * d + (l + d) * r,
      `l·d + (l + d)·r = ${l}·${d} + (${l} + ${d})·${r}`,
      `The target's copy of P* and its u [l, r], v [d, r]. P* itself is learned once on the sources: l·d + K·(l + d)·r = ${l * d + numSources * (l + d) * r} for K = ${numSources}.`,
    ),
  ];
}
