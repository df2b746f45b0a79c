import * as tf from '@tensorflow/tfjs';

/** Right-pads rows of token ids to one length: ids [B, L] and mask [B, L] (1 = token, 0 = pad). */
export function padBatch(rows: number[][], padId: number): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  const length = Math.max(1, ...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * length).fill(padId);
  const mask = new Float32Array(rows.length * length);
  rows.forEach((row, i) => {
    ids.set(row, i * length);
    mask.fill(1, i * length, i * length + row.length);
  });
  return {
    ids: tf.tensor2d(ids, [rows.length, length], 'int32'),
    mask: tf.tensor2d(mask, [rows.length, length]),
  };
}

/** Teacher forcing: the decoder reads [start, y_1, ..., y_{n-1}] and predicts [y_1, ..., y_n]. */
export function shiftRight(target: number[], startId: number): number[] {
  return [startId, ...target.slice(0, -1)];
}
