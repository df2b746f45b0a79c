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

/**
 * Switches for A/B benchmarks (bench/): with `customGradients` the element-wise chains of
 * RMSNorm and gelu_new have one hand-written gradient each instead of tfjs differentiating every
 * small op (fewer kernels and saved tensors per step). Same values either way.
 */
export const layerOptions = { customGradients: true };

/**
 * T5's LayerNorm is an RMSNorm: scale only, no mean subtraction, no bias. The gradient reaches x
 * only (the model is frozen): with r = rsqrt(mean(x²) + ε), n = x·r, g = dy·w,
 * dx = r·(g − n·mean(g·n)).
 */
export function rmsNorm(x: tf.Tensor3D, weight: tf.Tensor1D, epsilon: number): tf.Tensor3D {
  if (!layerOptions.customGradients) return rmsNormAutodiff(x, weight, epsilon);
  const op = tf.customGrad((input, saveArg) => {
    const save = saveArg as tf.GradSaveFunc;
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(input as tf.Tensor), -1, true), epsilon));
    const n = tf.mul(input as tf.Tensor, r);
    save([n, r]);
    return {
      value: tf.mul(n, weight),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [n, r] = saved;
        const g = tf.mul(dy, weight);
        return tf.mul(tf.sub(g, tf.mul(n, tf.mean(tf.mul(g, n), -1, true))), r);
      },
    };
  });
  return op(x) as tf.Tensor3D;
}

function rmsNormAutodiff(x: tf.Tensor3D, weight: tf.Tensor1D, epsilon: number): tf.Tensor3D {
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

const GELU_A = 0.044715;
const GELU_C = Math.sqrt(2 / Math.PI);

/**
 * gelu_new: the tanh approximation that T5 v1.1 and FLAN-T5 were trained with,
 * 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³), computed as the identical x·σ(2u): one
 * sigmoid kernel instead of tanh plus two element-wise ops (tfjs-wasm's Tanh is a scalar loop,
 * its Sigmoid XNNPACK's). Gradient σ + x·σ(1 − σ)·2√(2/π)·(1 + 3·0.044715·x²).
 */
function geluTanh(x: tf.Tensor3D): tf.Tensor3D {
  if (!layerOptions.customGradients) return geluTanhAutodiff(x);
  const op = tf.customGrad((input, saveArg) => {
    const save = saveArg as tf.GradSaveFunc;
    const v = input as tf.Tensor;
    const s = tf.sigmoid(tf.mul(tf.mul(v, tf.add(1, tf.mul(GELU_A, tf.square(v)))), 2 * GELU_C));
    save([v, s]);
    return {
      value: tf.mul(v, s),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [v, s] = saved;
        const du = tf.add(2 * GELU_C, tf.mul(6 * GELU_C * GELU_A, tf.square(v)));
        return tf.mul(dy, tf.add(s, tf.mul(tf.mul(v, tf.sub(s, tf.square(s))), du)));
      },
    };
  });
  return op(x) as tf.Tensor3D;
}

function geluTanhAutodiff(x: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const inner = tf.mul(GELU_C, tf.add(x, tf.mul(GELU_A, tf.mul(x, tf.square(x)))));
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
