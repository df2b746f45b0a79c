import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { encodeIds, generateGreedy, rankClassify, sequenceLogLikelihood } from '../../src/model/inference';
import type { T5Model } from '../../src/model/t5';
import { relativeError, type Golden } from './golden';

/**
 * The checks every backend must pass against the PyTorch reference: the same code runs in node
 * (cpu, wasm) and in Chromium (webgpu, wasm).
 */

export const TOLERANCE = 1e-4;

export async function expectForwardMatches(model: T5Model, golden: Golden, withPrompt: boolean): Promise<void> {
  const f = golden.forward;
  const expected = withPrompt ? f.with_prompt : f.without_prompt;
  const prompt = withPrompt ? tf.tensor2d(f.prompt) : undefined;
  const { hidden, logits } = tf.tidy(() => {
    const encoded = encodeIds(model, f.input_ids.map((row, i) => row.filter((_, j) => f.attention_mask[i][j] === 1)), prompt);
    const decoderIds = tf.tensor2d(f.decoder_input_ids, undefined, 'int32');
    return { hidden: encoded.hidden, logits: model.decode(decoderIds, encoded.hidden, encoded.mask) };
  });
  const hiddenError = relativeError(await hidden.data(), expected.encoder_output.flat(2));
  const logitsError = relativeError(await logits.data(), expected.logits.flat(2));
  tf.dispose([hidden, logits, prompt]);
  expect(hiddenError, 'encoder hidden states').toBeLessThan(TOLERANCE);
  expect(logitsError, 'decoder logits').toBeLessThan(TOLERANCE);
}

export async function expectGenerationMatches(model: T5Model, golden: Golden): Promise<void> {
  const prompt = tf.tensor2d(golden.forward.prompt);
  for (const g of golden.generate) {
    const ids = await generateGreedy(model, g.input_ids, g.max_new_tokens, g.use_prompt ? prompt : undefined);
    expect(ids, `generation for "${g.input_text}"`).toEqual(g.output_ids);
  }
  prompt.dispose();
}

export async function expectRankMatches(model: T5Model, golden: Golden): Promise<void> {
  const r = golden.rank;
  const result = await rankClassify(model, r.input_ids, r.label_ids);
  expect(relativeError(result.logLikelihoods, r.log_likelihoods)).toBeLessThan(TOLERANCE);
  expect(relativeError(result.probs, r.probs)).toBeLessThan(TOLERANCE);
}

/** Gradients reach the soft prompt and nothing else, and agree with finite differences. */
export async function expectPromptGradient(model: T5Model, golden: Golden): Promise<void> {
  const f = golden.forward;
  const rows = f.input_ids.map((row, i) => row.filter((_, j) => f.attention_mask[i][j] === 1));
  const targets = f.target_texts.map((t) => model.tokenizer.encode(t));
  const prompt = tf.variable(tf.tensor2d(f.prompt), true, 'prompt');
  const loss = () =>
    tf.tidy(() => tf.neg(tf.mean(sequenceLogLikelihood(model, encodeIds(model, rows, prompt), targets))) as tf.Scalar);

  const { value, grads } = tf.variableGrads(loss);
  expect(Object.keys(grads)).toEqual([prompt.name]);
  const analytic = await grads[prompt.name].data();
  const base = (await value.data())[0];
  tf.dispose([value, grads[prompt.name]]);

  // Central differences on a few coordinates: float32 forward, so a coarse step and tolerance.
  const eps = 1e-2;
  const original = await prompt.data();
  for (const index of [0, 7, original.length - 1]) {
    const probe = async (delta: number) => {
      const shifted = Float32Array.from(original);
      shifted[index] += delta;
      prompt.assign(tf.tensor2d(shifted, prompt.shape as [number, number]));
      const l = loss();
      const v = (await l.data())[0];
      l.dispose();
      return v;
    };
    const numeric = ((await probe(eps)) - (await probe(-eps))) / (2 * eps);
    expect(Math.abs(numeric - analytic[index])).toBeLessThan(2e-2 * Math.max(1, Math.abs(analytic[index])));
  }
  expect(Number.isFinite(base)).toBe(true);
  prompt.dispose();
}
