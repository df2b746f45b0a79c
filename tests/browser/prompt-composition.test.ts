// composePrompts on WebGPU (SwiftShader in headless Chromium): the fused WGSL kernels, forward
// and all three gradients, against tfjs autodiff of the unfused expression P* ⊙ (U Vᵀ) (which
// runs on tfjs's own webgpu kernels), a finite-difference check, broken shaders that must throw,
// and no leaked tensors. Sizes stay small: SwiftShader is slow.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkWgslKernel, composePrompts, ensureComposeKernelsCompile } from '../../src/kernels/compose-prompts';
import { expectFiniteDifferencesMatch, expectFlatTensorCount, expectMatchesReference, inputs, SMALL_CASES, type Shapes } from '../support/composition-checks';

const CASES: Shapes[] = [...SMALL_CASES, { K: 2, l: 100, d: 128, r: 1 }];

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

  it('matches central finite differences of a scalar loss', expectFiniteDifferencesMatch);

  it('keeps the tensor count flat over repeated forward + backward', expectFlatTensorCount);

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
