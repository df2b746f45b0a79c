// composePrompts on the non-WebGPU path (tfjs cpu and wasm backends, in node): forward and all
// three gradients against tfjs autodiff of the unfused expression P* ⊙ (U Vᵀ), a
// finite-difference check, the shape errors, and no leaked tensors.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { composePrompts, ensureComposeKernelsCompile } from '../../src/kernels/compose-prompts';
import { expectFiniteDifferencesMatch, expectFlatTensorCount, expectMatchesReference, SMALL_CASES, type Shapes } from '../support/composition-checks';
import { WASM_DIST } from '../support/node-fixtures';

const CASES: Shapes[] = [...SMALL_CASES, { K: 3, l: 100, d: 128, r: 1 }];

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

  it('matches central finite differences of a scalar loss', expectFiniteDifferencesMatch);

  it('keeps the tensor count flat over repeated forward + backward', expectFlatTensorCount);

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
