import * as tf from '@tensorflow/tfjs';
import type { T5Model } from '../model/t5';
import type { Batch } from './batches';

/** What a prompted teacher-forced pass produces: everything the three losses need. */
export interface PromptedOutput {
  encoderHidden: tf.Tensor3D; // [B, l + L, d]
  encoderMask: tf.Tensor2D; // [B, l + L]
  decoderHidden: tf.Tensor3D; // [B, T, d]
  logits: tf.Tensor3D; // [B, T, V]
}

/** Runs the frozen model on a batch, each row behind its own prompt [B, l, d]. */
export function promptedForward(model: T5Model, batch: Batch, rowPrompts: tf.Tensor3D): PromptedOutput {
  return tf.tidy(() => {
    const input = model.withPrompt(rowPrompts, model.embed(batch.inputIds), batch.inputMask);
    const encoderHidden = model.encode(input.embeds, input.mask);
    const decoderHidden = model.decoderHidden(batch.decoderIds, encoderHidden, input.mask);
    return { encoderHidden, encoderMask: input.mask, decoderHidden, logits: model.logits(decoderHidden) };
  });
}
