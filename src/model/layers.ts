import * as tf from '@tensorflow/tfjs';

/**
 * The building blocks of a T5 stack, as plain functions of tensors. Linear weights are stored
 * [in, out] (transposed once at load from Hugging Face's [out, in]) so every projection is a
 * plain matMul.
 */

/**
 * A frozen linear layer's weight: `w` [in, out] for the forward x @ w and, optionally, the same
 * weight as [out, in] (Hugging Face's layout) for the backward pass, dx = dy @ wᵀ = dy @ wT.
 */
export interface LinearWeight {
  w: tf.Tensor2D;
  wT?: tf.Tensor2D;
}

/** T5's LayerNorm is an RMSNorm: scale only, no mean subtraction, no bias. */
export function rmsNorm(x: tf.Tensor3D, weight: tf.Tensor1D, epsilon: number): tf.Tensor3D {
  return tf.tidy(() => {
    const variance = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, epsilon))), weight);
  });
}

/** x [B, T, in] @ w [in, out] -> [B, T, out]. */
export function linear(x: tf.Tensor3D, weight: LinearWeight): tf.Tensor3D {
  const [b, t, d] = x.shape;
  const x2 = tf.reshape(x, [b * t, d]) as tf.Tensor2D;
  const y = weight.wT ? frozenMatMul(x2, weight.w, weight.wT) : tf.matMul(x2, weight.w);
  return tf.reshape(y, [b, t, weight.w.shape[1]]);
}

/**
 * x @ w with the gradient dx = dy @ wT, a plain matMul on the stored transpose. tfjs's own
 * gradient of matMul(x, w) is matMul(dy, w, false, true), and tfjs-wasm runs transposed matMuls
 * ~10x slower than plain ones (BENCHMARKS.md). No gradient reaches w: the model is frozen.
 */
function frozenMatMul(x: tf.Tensor2D, w: tf.Tensor2D, wT: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((input) => ({
    value: tf.matMul(input as tf.Tensor2D, w),
    gradFunc: (dy: tf.Tensor) => tf.matMul(dy as tf.Tensor2D, wT),
  }));
  return op(x) as tf.Tensor2D;
}

export interface AttentionWeights {
  q: LinearWeight; // [d_model, heads * d_kv]
  k: LinearWeight;
  v: LinearWeight;
  o: LinearWeight; // [heads * d_kv, d_model]
}

/**
 * Multi-head attention without the 1/sqrt(d_kv) scaling (T5 folds it into the initialisation).
 * `bias` [1 or B, heads, Tq, Tk] carries the position bias and the masks, added to the scores.
 */
export function attention(
  query: tf.Tensor3D,
  keyValue: tf.Tensor3D,
  w: AttentionWeights,
  numHeads: number,
  bias: tf.Tensor4D,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, tq] = query.shape;
    const tk = keyValue.shape[1];
    const dKv = w.q.w.shape[1] / numHeads;
    const heads = (x: tf.Tensor3D, t: number) =>
      tf.transpose(tf.reshape(x, [b, t, numHeads, dKv]), [0, 2, 1, 3]) as tf.Tensor4D;
    const q = heads(linear(query, w.q), tq);
    const k = heads(linear(keyValue, w.k), tk);
    const v = heads(linear(keyValue, w.v), tk);
    const scores = tf.add(tf.matMul(q, k, false, true), bias);
    const context = tf.matMul(tf.softmax(scores), v); // [B, heads, Tq, d_kv]
    const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [b, tq, numHeads * dKv]) as tf.Tensor3D;
    return linear(merged, w.o);
  });
}

export type FeedForwardWeights =
  | { kind: 'relu'; wi: LinearWeight; wo: LinearWeight }
  | { kind: 'gated-gelu'; wi0: LinearWeight; wi1: LinearWeight; wo: LinearWeight };

/** gelu_new: the tanh approximation that T5 v1.1 and FLAN-T5 were trained with. */
function geluTanh(x: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(x, tf.square(x)))));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  });
}

export function feedForward(x: tf.Tensor3D, w: FeedForwardWeights): tf.Tensor3D {
  return tf.tidy(() => {
    const hidden =
      w.kind === 'relu' ? tf.relu(linear(x, w.wi)) : tf.mul(geluTanh(linear(x, w.wi0)), linear(x, w.wi1));
    return linear(hidden as tf.Tensor3D, w.wo);
  });
}
