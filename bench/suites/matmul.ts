/**
 * matMul throughput by layout on the current backend: plain, transposed A, transposed B (the
 * layouts tfjs's matMul gradient uses), 2-D and batched, at a training step's sizes. On wasm each
 * layout is timed twice: as the app runs it (batched and transposed products on the SIMD kernel
 * of src/model/wasm-matmul.ts) and on tfjs-wasm's own kernel (its scalar loop).
 */
import * as tf from '@tensorflow/tfjs';
import { wasmMatMulOptions } from '../../src/model/wasm-matmul';
import { settle } from '../lib/backend';
import { repeat } from '../lib/timing';

export interface MatMulRow {
  backend: string;
  /** e.g. "[1024,512] x [512,2048]" as multiplied (after the transposes). */
  shape: string;
  layout: string;
  gflops: number;
  ms: number;
}

export interface MatMulCase {
  /** Batch (1 = 2-D), rows of A, inner, columns of B. */
  batch: number;
  m: number;
  k: number;
  n: number;
}

export async function matMulSuite(cases: MatMulCase[], reps: number): Promise<MatMulRow[]> {
  const rows: MatMulRow[] = [];
  for (const { batch, m, k, n } of cases) {
    const lead = batch === 1 ? [] : [batch];
    const a = tf.randomNormal([...lead, m, k]);
    const b = tf.randomNormal([...lead, k, n]);
    const aT = tf.randomNormal([...lead, k, m]);
    const bT = tf.randomNormal([...lead, n, k]);
    const layouts: [string, () => tf.Tensor][] = [
      ['plain A·B', () => tf.matMul(a, b)],
      ['A·Bᵀ (transposeB)', () => tf.matMul(a, bT, false, true)],
      ['Aᵀ·B (transposeA)', () => tf.matMul(aT, b, true, false)],
    ];
    const flop = 2 * batch * m * k * n;
    for (const [layout, f] of layouts) {
      // Plain 2-D products go to XNNPACK either way.
      const plain2d = batch === 1 && layout.startsWith('plain');
      const kernels = tf.getBackend() === 'wasm' && !plain2d ? [true, false] : [true];
      for (const simd of kernels) {
        wasmMatMulOptions.enabled = simd;
        try {
          const t = await repeat(
            async () => {
              f().dispose();
              await settle();
            },
            { warmup: 1, reps },
          );
          rows.push({
            backend: tf.getBackend(),
            shape: `${batch === 1 ? '' : `${batch} x `}[${m},${k}] x [${k},${n}]`,
            layout: simd ? layout : `${layout}, tfjs-wasm's own kernel`,
            gflops: flop / (t.medianMs * 1e6),
            ms: t.medianMs,
          });
        } finally {
          wasmMatMulOptions.enabled = true;
        }
      }
    }
    tf.dispose([a, b, aT, bT]);
  }
  return rows;
}
