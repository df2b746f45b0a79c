import * as tf from '@tensorflow/tfjs';
import type { T5Model } from '../model/t5';
import { seededRandom } from './random';

/**
 * Where a soft prompt starts (Lester et al. 2021 compare these): uniform noise, embeddings of
 * sampled common vocabulary tokens, or the embeddings of a text repeated to length l.
 */
export type PromptInit =
  | { kind: 'random'; range?: number }
  | { kind: 'vocab'; fromTopTokens?: number }
  | { kind: 'text'; text: string };

/** Ids 0-2 are pad, eos and unk; SentencePiece orders the rest roughly by frequency. */
const FIRST_WORD_ID = 3;

export function initialPrompt(model: T5Model, length: number, init: PromptInit, seed: number): tf.Tensor2D {
  const random = seededRandom(seed);
  const d = model.config.dModel;
  if (init.kind === 'random') {
    const range = init.range ?? 0.5;
    return tf.tensor2d(Float32Array.from({ length: length * d }, () => (random() * 2 - 1) * range), [length, d]);
  }
  let ids: number[];
  if (init.kind === 'vocab') {
    const sentinels = 100;
    const top = Math.min(init.fromTopTokens ?? 5000, model.tokenizer.size - sentinels - FIRST_WORD_ID);
    ids = Array.from({ length }, () => FIRST_WORD_ID + Math.floor(random() * top));
  } else {
    const textIds = model.tokenizer.encode(init.text).slice(0, -1); // without </s>
    if (textIds.length === 0) throw new Error('the prompt initialisation text is empty');
    ids = Array.from({ length }, (_, i) => textIds[i % textIds.length]);
  }
  return tf.tidy(() => tf.reshape(model.embed(tf.tensor2d(ids, [1, length], 'int32')), [length, d]) as tf.Tensor2D);
}
