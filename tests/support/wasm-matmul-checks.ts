import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { wasmMatMulOptions, wasmMatMulStats } from '../../src/kernels/wasm-matmul';

/**
 * The SIMD BatchMatMul that src/model/backend.ts installs on wasm, against tfjs-wasm's own
 * kernel: every layout, batch broadcasting, and sizes that leave partial row and column blocks.
 * Also checks that the SIMD kernel really ran (it falls back silently when it cannot start).
 */
export function expectWasmMatMulMatches(transposeA: boolean, transposeB: boolean): void {
  const sizes = [
    [80, 32, 80],
    [7, 5, 3],
    [13, 17, 11],
    [1, 1, 1],
    [4, 8, 8],
    [9, 3, 12],
    [5, 64, 9],
  ];
  const batches: [number[], number[]][] = [
    [[], []],
    [[3], [3]],
    [[2, 3], [2, 3]],
    [[1], [4]],
    [[4], []],
  ];
  const before = wasmMatMulStats.simd;
  for (const [m, k, n] of sizes) {
    for (const [ba, bb] of batches) {
      tf.tidy(() => {
        const a = tf.randomNormal([...ba, transposeA ? k : m, transposeA ? m : k]);
        const b = tf.randomNormal([...bb, transposeB ? n : k, transposeB ? k : n]);
        const got = tf.matMul(a, b, transposeA, transposeB);
        wasmMatMulOptions.enabled = false;
        const want = tf.matMul(a, b, transposeA, transposeB);
        wasmMatMulOptions.enabled = true;
        expect(got.shape).toEqual(want.shape);
        const err = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0];
        const scale = tf.max(tf.abs(want)).dataSync()[0];
        expect(err).toBeLessThanOrEqual(1e-5 * scale);
      });
    }
  }
  // Every product but the plain 2-D ones (XNNPACK) went through the SIMD kernel.
  const plain2d = !transposeA && !transposeB ? sizes.length : 0;
  expect(wasmMatMulStats.simd - before).toBe(sizes.length * batches.length - plain2d);
}

export const LAYOUTS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];
