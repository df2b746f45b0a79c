// composePrompts on the non-WebGPU path (tfjs cpu and wasm backends, in node): forward and all
// three gradients against tfjs autodiff of the unfused expression P* ⊙ (U Vᵀ), a
// finite-difference check, the shape errors, and no leaked tensors.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { composePrompts, ensureComposeKernelsCompile } from '../../src/kernels/compose-prompts';
import { WASM_DIST } from '../support/node-fixtures';

type Shapes = { K: number; l: number; d: number; r: number };

/** The independent reference: the unfused expression, differentiated by tfjs. */
const reference = (p: tf.Tensor, u: tf.Tensor, v: tf.Tensor) => tf.mul(p, tf.matMul(u, v, false, true));

function inputs({ K, l, d, r }: Shapes, seed: number) {
  return {
    pStar: tf.randomNormal([l, d], 0, 1, 'float32', seed) as tf.Tensor2D,
    u: tf.randomNormal([K, l, r], 0, 1, 'float32', seed + 1) as tf.Tensor3D,
    v: tf.randomNormal([K, d, r], 0, 1, 'float32', seed + 2) as tf.Tensor3D,
    dy: tf.randomNormal([K, l, d], 0, 1, 'float32', seed + 3) as tf.Tensor3D,
  };
}

/** max |actual - expected| / max |expected|: relative to the tensor's scale. */
async function relativeError(actual: tf.Tensor, expected: tf.Tensor): Promise<number> {
  expect(actual.shape).toEqual(expected.shape);
  const [a, e] = [await actual.data(), await expected.data()];
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < e.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - e[i]));
    scale = Math.max(scale, Math.abs(e[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

async function expectMatchesReference(shapes: Shapes, seed: number) {
  const { pStar, u, v, dy } = inputs(shapes, seed);
  const out = composePrompts(pStar, u, v);
  const ref = reference(pStar, u, v);
  const grads = tf.grads((p, uu, vv) => composePrompts(p as tf.Tensor2D, uu as tf.Tensor3D, vv as tf.Tensor3D))([pStar, u, v], dy);
  const refGrads = tf.grads(reference)([pStar, u, v], dy);
  expect(out.shape).toEqual([shapes.K, shapes.l, shapes.d]);
  expect(await relativeError(out, ref), 'forward').toBeLessThan(1e-5);
  const names = ['dPStar', 'dU', 'dV'];
  for (let i = 0; i < 3; i++) expect(await relativeError(grads[i], refGrads[i]), names[i]).toBeLessThan(1e-5);
  tf.dispose([pStar, u, v, dy, out, ref, ...grads, ...refGrads]);
}

const CASES: Shapes[] = [
  ...[1, 2, 5, 8].flatMap((K) => [1, 3].map((r) => ({ K, l: 7, d: 33, r }))),
  { K: 3, l: 100, d: 128, r: 1 },
];

describe.each(['cpu', 'wasm'])('composePrompts on %s (node)', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') setWasmPaths(WASM_DIST);
    expect(await tf.setBackend(backend)).toBe(true);
    await tf.ready();
    await ensureComposeKernelsCompile(); // nothing to compile off WebGPU: resolves at once
  });

  it.each(CASES)('matches autodiff of the unfused expression: K=$K l=$l d=$d r=$r', (shapes) =>
    expectMatchesReference(shapes, 7 * shapes.K + shapes.r),
  );

  it('matches central finite differences of a scalar loss', async () => {
    const { pStar, u, v, dy: w } = inputs({ K: 3, l: 5, d: 9, r: 2 }, 11);
    const loss = (p: tf.Tensor, uu: tf.Tensor, vv: tf.Tensor) =>
      tf.sum(tf.mul(composePrompts(p as tf.Tensor2D, uu as tf.Tensor3D, vv as tf.Tensor3D), w));
    const grads = tf.grads(loss)([pStar, u, v]);
    const xs = [pStar, u, v];
    // The loss is linear in every single coordinate, so a large step is exact up to rounding.
    const eps = 0.5;
    for (let which = 0; which < 3; which++) {
      const flat = (await xs[which].data()).slice();
      const g = await grads[which].data();
      for (const at of [0, Math.floor(flat.length / 2), flat.length - 1]) {
        const shifted = (delta: number) =>
          tf.tidy(() => {
            const copy = flat.slice();
            copy[at] += delta;
            const moved = tf.tensor(copy, xs[which].shape);
            const args = xs.map((x, i) => (i === which ? moved : x));
            return loss(args[0], args[1], args[2]).dataSync()[0];
          });
        const numeric = (shifted(eps) - shifted(-eps)) / (2 * eps);
        expect(Math.abs(numeric - g[at]), `input ${which}, element ${at}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(g[at])));
      }
    }
    tf.dispose([pStar, u, v, w, ...grads]);
  });

  it('keeps the tensor count flat over repeated forward + backward', async () => {
    const { pStar, u, v, dy } = inputs({ K: 2, l: 7, d: 33, r: 3 }, 5);
    const step = () => {
      const grads = tf.grads((p, uu, vv) => composePrompts(p as tf.Tensor2D, uu as tf.Tensor3D, vv as tf.Tensor3D))([pStar, u, v], dy);
      tf.dispose(grads);
      composePrompts(pStar, u, v).dispose();
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([pStar, u, v, dy]);
  });

  it('says which input has the wrong shape', () => {
    const p = tf.zeros([7, 33]) as tf.Tensor2D;
    const u = tf.zeros([2, 7, 1]) as tf.Tensor3D;
    const v = tf.zeros([2, 33, 1]) as tf.Tensor3D;
    const bad = (shape: number[]) => tf.zeros(shape) as unknown as tf.Tensor3D;
    expect(() => composePrompts(tf.zeros([7]) as unknown as tf.Tensor2D, u, v)).toThrow(/pStar must be \[l, d\] \(2-D\), got \[7\]/);
    expect(() => composePrompts(p, bad([2, 6, 1]), v)).toThrow(/u must be \[K, l, r\] with l = 7 \(pStar's rows\), got \[2, 6, 1\]/);
    expect(() => composePrompts(p, bad([7, 1]), v)).toThrow(/u must be \[K, l, r\]/);
    expect(() => composePrompts(p, u, bad([2, 32, 1]))).toThrow(/v must be \[K, d, r\] = \[2, 33, 1\].*got \[2, 32, 1\]/);
    expect(() => composePrompts(p, u, bad([3, 33, 1]))).toThrow(/v must be \[K, d, r\] = \[2, 33, 1\]/);
    expect(() => composePrompts(p, u, bad([2, 33, 2]))).toThrow(/v must be \[K, d, r\] = \[2, 33, 1\]/);
    expect(() => composePrompts(p, bad([2, 7, 0]), bad([2, 33, 0]))).toThrow(/u has an empty axis/);
    expect(() => composePrompts(tf.zeros([7, 33], 'int32') as tf.Tensor2D, u, v)).toThrow(/pStar must be float32, got int32/);
    tf.dispose([p, u, v]);
  });
});
