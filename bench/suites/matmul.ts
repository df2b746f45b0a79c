/**
 * matMul throughput by layout on the current backend: plain, transposed A, transposed B (the
 * layouts tfjs's matMul gradient uses), 2-D and batched, at a training step's sizes. On wasm each
 * layout is timed twice: as the app runs it (batched and transposed products on the SIMD kernel
 * of src/kernels/wasm-matmul.ts) and on tfjs-wasm's own kernel (its scalar loop).
 */
import * as tf from '@tensorflow/tfjs';
import { wasmMatMulOptions } from '../../src/kernels/wasm-matmul';
import { settle } from '../lib/backend';
import { repeat } from '../lib/timing';

export interface MatMulRow {
  backend: string;
  /** e.g. "[1024,512] x [512,2048]" as multiplied (after the transposes). */
  shape: string;
  layout: string;
  gflops: number;
  ms: number;
  /** wasm, batched or transposed: the same product on tfjs-wasm's own kernel (its scalar loop). */
  tfjsKernel?: { ms: number; gflops: number };
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
    // Tiny products repeat within a sample so that the browser's coarse clock still resolves them.
    const inner = Math.min(200, Math.max(1, Math.ceil(5e6 / flop)));
    const time = async (f: () => tf.Tensor) =>
      (
        await repeat(
          async () => {
            for (let i = 0; i < inner; i++) f().dispose();
            await settle();
          },
          { warmup: 1, reps },
        )
      ).medianMs / inner;
    for (const [layout, f] of layouts) {
      const ms = await time(f);
      // Plain 2-D products go to XNNPACK either way.
      const plain2d = batch === 1 && layout.startsWith('plain');
      let tfjsKernel: { ms: number; gflops: number } | undefined;
      if (tf.getBackend() === 'wasm' && !plain2d) {
        wasmMatMulOptions.enabled = false;
        try {
          const own = await time(f);
          tfjsKernel = { ms: own, gflops: flop / (own * 1e6) };
        } finally {
          wasmMatMulOptions.enabled = true;
        }
      }
      rows.push({
        backend: tf.getBackend(),
        shape: `${batch === 1 ? '' : `${batch} x `}[${m},${k}] x [${k},${n}]`,
        layout,
        gflops: flop / (ms * 1e6),
        ms,
        tfjsKernel,
      });
    }
    tf.dispose([a, b, aT, bT]);
  }
  return rows;
}
