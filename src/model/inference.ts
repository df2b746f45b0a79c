import * as tf from '@tensorflow/tfjs';
import { padBatch, shiftRight } from './batch';
import type { T5Model } from './t5';

/**
 * What the frozen model does at inference: greedy generation and rank classification, both
 * optionally behind a soft prompt [l, d].
 */

export interface EncodedInput {
  hidden: tf.Tensor3D; // [B, S, d]
  mask: tf.Tensor2D; // [B, S]
}

/** Embeds and encodes token id rows, with the soft prompt in front when one is given. */
export function encodeIds(model: T5Model, rows: number[][], prompt?: tf.Tensor2D | tf.Tensor3D): EncodedInput {
  return tf.tidy(() => {
    const { ids, mask } = padBatch(rows, model.config.padTokenId);
    let input = { embeds: model.embed(ids), mask };
    if (prompt) input = model.withPrompt(prompt, input.embeds, input.mask);
    return { hidden: model.encode(input.embeds, input.mask), mask: input.mask };
  });
}

/**
 * Greedy decoding, one row at a time through the whole decoder prefix (no key/value cache: the
 * outputs here are short). Returns the generated ids, ending with eos when it was produced.
 */
export async function generateGreedy(
  model: T5Model,
  inputIds: number[],
  maxNewTokens: number,
  prompt?: tf.Tensor2D,
): Promise<number[]> {
  const { config } = model;
  const encoded = encodeIds(model, [inputIds], prompt);
  const output: number[] = [];
  try {
    while (output.length < maxNewTokens) {
      const decoderIds = [config.decoderStartTokenId, ...output];
      const next = tf.tidy(() => {
        const ids = tf.tensor2d(decoderIds, [1, decoderIds.length], 'int32');
        const logits = model.decode(ids, encoded.hidden, encoded.mask); // [1, T, V]
        return tf.argMax(tf.squeeze(tf.slice(logits, [0, decoderIds.length - 1, 0], [1, 1, -1]), [0, 1]));
      });
      const [token] = await next.data();
      next.dispose();
      output.push(token);
      if (token === config.eosTokenId) break;
    }
  } finally {
    tf.dispose([encoded.hidden, encoded.mask]);
  }
  return output;
}

/**
 * Teacher-forced log-likelihood of each target (ids ending with eos) given each input:
 * log P(y | x) = sum_t log p(y_t | x, y_<t). Inputs [B], targets [B] -> [B] as a tensor so it
 * can be a loss (L_PLM) or a score.
 */
export function sequenceLogLikelihood(
  model: T5Model,
  encoded: EncodedInput,
  targets: number[][],
): tf.Tensor1D {
  return tf.tidy(() => {
    const { config } = model;
    const decoderInput = padBatch(targets.map((t) => shiftRight(t, config.decoderStartTokenId)), config.padTokenId);
    const labels = padBatch(targets, config.padTokenId);
    const logProbs = tf.logSoftmax(model.decode(decoderInput.ids, encoded.hidden, encoded.mask)); // [B, T, V]
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(labels.ids, config.vocabSize)), -1); // [B, T]
    return tf.sum(tf.mul(picked, labels.mask), -1) as tf.Tensor1D;
  });
}

/** Input rows encoded per chunk: every row is decoded once per label, so this bounds memory. */
const CHUNK = 16;

/**
 * Teacher-forced log-likelihood of every label (ids ending with eos) for every input row:
 * [inputs][labels]. Each chunk of inputs is encoded once, then repeated once per label.
 */
export async function labelLogLikelihoods(
  model: T5Model,
  inputRows: number[][],
  labelIds: number[][],
  prompt?: tf.Tensor2D,
): Promise<number[][]> {
  const c = labelIds.length;
  const scores: number[][] = [];
  for (let start = 0; start < inputRows.length; start += CHUNK) {
    const rows = inputRows.slice(start, start + CHUNK);
    const chunk = tf.tidy(() => {
      const encoded = encodeIds(model, rows, prompt);
      // Row e is repeated once per label: [e0 c0, e0 c1, ..., e1 c0, ...].
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

export interface RankResult {
  logLikelihoods: number[];
  probs: number[];
  best: number;
}

/**
 * Rank classification: score every label's verbalizer as the output and pick the likeliest.
 * Class probabilities are the softmax of the verbalizers' total log-likelihoods.
 */
export async function rankClassify(
  model: T5Model,
  inputIds: number[],
  labelIds: number[][],
  prompt?: tf.Tensor2D,
): Promise<RankResult> {
  const [logLikelihoods] = await labelLogLikelihoods(model, [inputIds], labelIds, prompt);
  const max = Math.max(...logLikelihoods);
  const exps = logLikelihoods.map((x) => Math.exp(x - max));
  const total = exps.reduce((a, b) => a + b, 0);
  const probs = exps.map((x) => x / total);
  return { logLikelihoods, probs, best: logLikelihoods.indexOf(max) };
}
