// composePrompts on WebGPU (SwiftShader in headless Chromium): the fused WGSL kernels, forward
// and all three gradients, against tfjs autodiff of the unfused expression P* ⊙ (U Vᵀ) (which
// runs on tfjs's own webgpu kernels), a finite-difference check, broken shaders that must throw,
// and no leaked tensors. Sizes stay small: SwiftShader is slow.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkWgslKernel, composePrompts, ensureComposeKernelsCompile } from '../../src/kernels/compose-prompts';

type Shapes = { K: number; l: number; d: number; r: number };

/** The independent reference: the unfused expression, differentiated by tfjs. */
const reference = (p: tf.Tensor, u: tf.Tensor, v: tf.Tensor) => tf.mul(p, tf.matMul(u, v, false, true));
const fused = (p: tf.Tensor, u: tf.Tensor, v: tf.Tensor) => composePrompts(p as tf.Tensor2D, u as tf.Tensor3D, v as tf.Tensor3D);

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
  const grads = tf.grads(fused)([pStar, u, v], dy);
  const refGrads = tf.grads(reference)([pStar, u, v], dy);
  expect(out.shape).toEqual([shapes.K, shapes.l, shapes.d]);
  expect(await relativeError(out, ref), 'forward').toBeLessThan(1e-5);
  const names = ['dPStar', 'dU', 'dV'];
  for (let i = 0; i < 3; i++) expect(await relativeError(grads[i], refGrads[i]), names[i]).toBeLessThan(1e-5);
  tf.dispose([pStar, u, v, dy, out, ref, ...grads, ...refGrads]);
}

const CASES: Shapes[] = [
  ...[1, 2, 5, 8].flatMap((K) => [1, 3].map((r) => ({ K, l: 7, d: 33, r }))),
  { K: 2, l: 100, d: 128, r: 1 },
];

describe('composePrompts on webgpu (Chromium)', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('webgpu')).toBe(true);
    await tf.ready();
    // Otherwise tfjs runs small ops whose inputs are on the CPU on the CPU, and the reference
    // would not be computed by the webgpu backend.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    await ensureComposeKernelsCompile();
  });

  it.each(CASES)('matches autodiff of the unfused expression: K=$K l=$l d=$d r=$r', (shapes) =>
    expectMatchesReference(shapes, 7 * shapes.K + shapes.r),
  );

  it('matches central finite differences of a scalar loss', async () => {
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
  });

  it('keeps the tensor count flat over repeated forward + backward', async () => {
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
  });

  describe('a broken shader throws an Error naming the kernel instead of returning zeros', () => {
    const x = () => tf.ones([5]);
    const broken = {
      'a syntax error': 'fn main(index : i32) { setOutputAtIndex(index, getX(index) +); }',
      'a type error': 'fn main(index : i32) { let y : i32 = getX(index); setOutputAtIndex(index, 1.0); }',
      'an unknown getter': 'fn main(index : i32) { setOutputAtIndex(index, getNothing(index)); }',
      'a barrier in non-uniform control flow':
        'fn main(index : i32) { if (getX(index) > 0.0) { workgroupBarrier(); } setOutputAtIndex(index, 1.0); }',
    };
    it.each(Object.entries(broken))('%s', async (what, source) => {
      const input = x();
      const name = `broken-kernel-${what.replaceAll(' ', '-')}`;
      await expect(checkWgslKernel({ name, source, variableNames: ['x'] }, [input], [5])).rejects.toThrow(
        new RegExp(`WebGPU kernel "${name}" failed to compile or validate`),
      );
      input.dispose();
    });

    it('a valid kernel passes the same check, and the backend still computes afterwards', async () => {
      const input = x();
      const source = 'fn main(index : i32) { if (index < uniforms.size) { setOutputAtIndex(index, 2.0 * getX(index)); } }';
      await checkWgslKernel({ name: 'double', source, variableNames: ['x'] }, [input], [5]);
      input.dispose();
      await expectMatchesReference({ K: 2, l: 7, d: 33, r: 1 }, 3);
    });
  });

  it('on a fresh webgpu backend, refuses to run until the kernels are checked', async () => {
    // Re-register webgpu with tfjs's own factory: the next setBackend makes a new backend
    // instance, which no ensureComposeKernelsCompile() has checked yet.
    type Registry = Record<string, { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number }>;
    const { factory, priority } = (tf.engine() as unknown as { registryFactory: Registry }).registryFactory.webgpu;
    tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', factory, priority);
    expect(await tf.setBackend('webgpu')).toBe(true);
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    const { pStar, u, v } = inputs({ K: 2, l: 7, d: 33, r: 1 }, 1);
    expect(() => composePrompts(pStar, u, v)).toThrow(/await ensureComposeKernelsCompile\(\)/);
    tf.dispose([pStar, u, v]);
    await ensureComposeKernelsCompile();
    await expectMatchesReference({ K: 2, l: 7, d: 33, r: 1 }, 2);
  });
});
