import * as tf from '@tensorflow/tfjs';

/**
 * The three terms of MPT's distillation objective, L = L_PLM + λ (L_Logits + L_Hidden).
 * Every loss is a mean over real (unpadded) positions so batches of any padding compare.
 */

/** Targets of a teacher-forced batch: label ids [B, T] and their mask [B, T] (0 at padding). */
export interface Targets {
  labels: tf.Tensor2D;
  mask: tf.Tensor2D;
}

function maskedMean(values: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.div(tf.sum(tf.mul(values, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

/**
 * L_PLM = -log P(y | x): token-level cross-entropy of logits [B, T, V]. `mean` averages over
 * every real target token of the batch (the training loss); `perRow` [B] averages within each
 * row, for per-task loss curves.
 */
export function plmLoss(logits: tf.Tensor3D, targets: Targets): { mean: tf.Scalar; perRow: tf.Tensor1D } {
  return tf.tidy(() => {
    const vocab = logits.shape[2];
    const logProbs = tf.logSoftmax(logits);
    // oneHot + sum rather than gather: tfjs-wasm has no gradient kernel for gather.
    const tokenLoss = tf.neg(tf.sum(tf.mul(logProbs, tf.oneHot(targets.labels, vocab)), -1)) as tf.Tensor2D;
    const masked = tf.mul(tokenLoss, targets.mask);
    return {
      mean: maskedMean(tokenLoss, targets.mask),
      perRow: tf.div(tf.sum(masked, -1), tf.maximum(tf.sum(targets.mask, -1), 1)) as tf.Tensor1D,
    };
  });
}

/**
 * L_Logits = KL(teacher ‖ student) between the output token distributions at each target
 * position, softened by a temperature; times T² so its gradient scale does not shrink with T
 * (Hinton et al. 2015).
 */
export function logitsDistillLoss(
  studentLogits: tf.Tensor3D,
  teacherLogits: tf.Tensor3D,
  mask: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  return tf.tidy(() => {
    const teacherLog = tf.logSoftmax(tf.div(teacherLogits, temperature));
    const studentLog = tf.logSoftmax(tf.div(studentLogits, temperature));
    const kl = tf.sum(tf.mul(tf.exp(teacherLog), tf.sub(teacherLog, studentLog)), -1) as tf.Tensor2D;
    return tf.mul(maskedMean(kl, mask), temperature * temperature);
  });
}

/** L_Hidden = mean squared error between hidden states [B, S, d] at unmasked positions (mask [B, S]). */
export function hiddenDistillLoss(student: tf.Tensor3D, teacher: tf.Tensor3D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const perPosition = tf.mean(tf.squaredDifference(student, teacher), -1) as tf.Tensor2D;
    return maskedMean(perPosition, mask);
  });
}
