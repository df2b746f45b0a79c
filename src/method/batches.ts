import * as tf from '@tensorflow/tfjs';
import { padBatch, shiftRight } from '../model/batch';
import type { T5Config } from '../model/config';
import type { Targets } from './losses';

/** An example after tokenization, tagged with the index of its task in the current run. */
export interface EncodedExample {
  inputIds: number[];
  targetIds: number[];
  task: number;
}

/** The tensors of one teacher-forced training batch. */
export interface Batch {
  inputIds: tf.Tensor2D; // [B, L]
  inputMask: tf.Tensor2D; // [B, L]
  decoderIds: tf.Tensor2D; // [B, T]: start token + targets shifted right
  targets: Targets; // labels [B, T] and mask [B, T]
  taskIndex: number[]; // [B]
}

export function makeBatch(examples: EncodedExample[], config: T5Config): Batch {
  const input = padBatch(
    examples.map((e) => e.inputIds),
    config.padTokenId,
  );
  const decoder = padBatch(
    examples.map((e) => shiftRight(e.targetIds, config.decoderStartTokenId)),
    config.padTokenId,
  );
  const labels = padBatch(
    examples.map((e) => e.targetIds),
    config.padTokenId,
  );
  decoder.mask.dispose();
  return {
    inputIds: input.ids,
    inputMask: input.mask,
    decoderIds: decoder.ids,
    targets: { labels: labels.ids, mask: labels.mask },
    taskIndex: examples.map((e) => e.task),
  };
}

export function disposeBatch(batch: Batch): void {
  tf.dispose([batch.inputIds, batch.inputMask, batch.decoderIds, batch.targets.labels, batch.targets.mask]);
}
