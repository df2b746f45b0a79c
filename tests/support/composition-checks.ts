import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { composePrompts } from '../../src/kernels/compose-prompts';
import { relativeError } from './golden';

/**
 * The checks composePrompts must pass on every backend (node: cpu, wasm; Chromium: webgpu),
 * against tfjs autodiff of the unfused expression P* ⊙ (U Vᵀ).
 */

export type Shapes = { K: number; l: number; d: number; r: number };

/** The independent reference: the unfused expression, differentiated by tfjs. */
export const reference = (p: tf.Tensor, u: tf.Tensor, v: tf.Tensor) => tf.mul(p, tf.matMul(u, v, false, true));
const fused = (p: tf.Tensor, u: tf.Tensor, v: tf.Tensor) => composePrompts(p as tf.Tensor2D, u as tf.Tensor3D, v as tf.Tensor3D);

/** Sizes that are not multiples of any workgroup, K = 1..8, r = 1 and 3. */
export const SMALL_CASES: Shapes[] = [1, 2, 5, 8].flatMap((K) => [1, 3].map((r) => ({ K, l: 7, d: 33, r })));

export function inputs({ K, l, d, r }: Shapes, seed: number) {
  return {
    pStar: tf.randomNormal([l, d], 0, 1, 'float32', seed) as tf.Tensor2D,
    u: tf.randomNormal([K, l, r], 0, 1, 'float32', seed + 1) as tf.Tensor3D,
    v: tf.randomNormal([K, d, r], 0, 1, 'float32', seed + 2) as tf.Tensor3D,
    dy: tf.randomNormal([K, l, d], 0, 1, 'float32', seed + 3) as tf.Tensor3D,
  };
}

async function tensorError(actual: tf.Tensor, expected: tf.Tensor): Promise<number> {
  expect(actual.shape).toEqual(expected.shape);
  return relativeError(await actual.data(), await expected.data());
}

export async function expectMatchesReference(shapes: Shapes, seed: number): Promise<void> {
  const { pStar, u, v, dy } = inputs(shapes, seed);
  const out = composePrompts(pStar, u, v);
  const ref = reference(pStar, u, v);
  const grads = tf.grads(fused)([pStar, u, v], dy);
  const refGrads = tf.grads(reference)([pStar, u, v], dy);
  expect(out.shape).toEqual([shapes.K, shapes.l, shapes.d]);
  expect(await tensorError(out, ref), 'forward').toBeLessThan(1e-5);
  const names = ['dPStar', 'dU', 'dV'];
  for (let i = 0; i < 3; i++) expect(await tensorError(grads[i], refGrads[i]), names[i]).toBeLessThan(1e-5);
  tf.dispose([pStar, u, v, dy, out, ref, ...grads, ...refGrads]);
}

/** Central differences of sum(composePrompts(...) ⊙ w) on a few coordinates of each input. */
export async function expectFiniteDifferencesMatch(): Promise<void> {
  const { pStar, u, v, dy: w } = inputs({ K: 3, l: 5, d: 9, r: 2 }, 11);
  const loss = (p: tf.Tensor, uu: tf.Tensor, vv: tf.Tensor) => tf.sum(tf.mul(fused(p, uu, vv), w));
  const grads = tf.grads(loss)([pStar, u, v]);
  const xs = [pStar, u, v];
  // The loss is linear in every single coordinate, so a large step is exact up to rounding.
  const eps = 0.5;
  for (let which = 0; which < 3; which++) {
    const flat = (await xs[which].data()).slice();
    const g = await grads[which].data();
    for (const at of [0, Math.floor(flat.length / 2), flat.length - 1]) {
      const shifted = async (delta: number) => {
        const copy = flat.slice();
        copy[at] += delta;
        const moved = tf.tensor(copy, xs[which].shape);
        const args = xs.map((x, i) => (i === which ? moved : x));
        const value = loss(args[0], args[1], args[2]);
        const result = (await value.data())[0];
        tf.dispose([moved, value]);
        return result;
      };
      const numeric = ((await shifted(eps)) - (await shifted(-eps))) / (2 * eps);
      expect(Math.abs(numeric - g[at]), `input ${which}, element ${at}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(g[at])));
    }
  }
  tf.dispose([pStar, u, v, w, ...grads]);
}

export async function expectFlatTensorCount(): Promise<void> {
  const { pStar, u, v, dy } = inputs({ K: 2, l: 7, d: 33, r: 3 }, 5);
  const step = async () => {
    const grads = tf.grads(fused)([pStar, u, v], dy);
    const out = composePrompts(pStar, u, v);
    await Promise.all([...grads, out].map((t) => t.data()));
    tf.dispose([...grads, out]);
  };
  await step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) await step();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([pStar, u, v, dy]);
}
