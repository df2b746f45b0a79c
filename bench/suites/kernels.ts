/**
 * The fused prompt composition P̂ = P* ⊙ (U Vᵀ) (src/kernels/compose-prompts.ts) against the
 * unfused tfjs expression tf.mul(P*, tf.matMul(U, V, false, true)) differentiated by tfjs:
 * forward + backward (tf.grads, all three gradients) on the current backend, in one run.
 */
import * as tf from '@tensorflow/tfjs';
import { composePrompts, ensureComposeKernelsCompile } from '../../src/kernels/compose-prompts';
import { countDispatches, settle } from '../lib/backend';
import { repeat, summarize, type Timing } from '../lib/timing';

export interface KernelCase {
  K: number;
  l: number;
  d: number;
  r: number;
}

export interface KernelRow extends KernelCase {
  backend: string;
  /** Forward + backward, ms per call. */
  fused: Timing;
  unfused: Timing;
  /** unfused / fused median. */
  speedup: number;
  fusedDispatches: number;
  unfusedDispatches: number;
  /** webgpu with timestamp queries: GPU time of one fused / unfused call, ms (sum over dispatches). */
  fusedGpuMs?: number;
  unfusedGpuMs?: number;
  /** The unfused call's GPU time by tfjs program, ms. */
  unfusedGpuPrograms?: string;
}

export interface KernelOptions {
  cases: KernelCase[];
  warmup: number;
  reps: number;
  /** Calls per timed sample (back to back, then one wait): amortises the wait on webgpu. */
  callsPerSample: number;
}

const fusedOp = (p: tf.Tensor, u: tf.Tensor, v: tf.Tensor) => composePrompts(p as tf.Tensor2D, u as tf.Tensor3D, v as tf.Tensor3D);
const unfusedOp = (p: tf.Tensor, u: tf.Tensor, v: tf.Tensor) => tf.mul(p, tf.matMul(u, v, false, true));

export async function kernelSuite(o: KernelOptions): Promise<KernelRow[]> {
  await ensureComposeKernelsCompile();
  const rows: KernelRow[] = [];
  for (const c of o.cases) {
    const pStar = tf.randomNormal([c.l, c.d], 0, 1, 'float32', 1) as tf.Tensor2D;
    const u = tf.randomNormal([c.K, c.l, c.r], 0, 1, 'float32', 2);
    const v = tf.randomNormal([c.K, c.d, c.r], 0, 1, 'float32', 3);
    const dy = tf.randomNormal([c.K, c.l, c.d], 0, 1, 'float32', 4);
    const variants = { fused: tf.grads(fusedOp), unfused: tf.grads(unfusedOp) };
    const call = (g: (typeof variants)['fused']) => () => g([pStar, u, v], dy);
    /** ms per call over one sample of callsPerSample calls. */
    const sample = async (g: (typeof variants)['fused']) => {
      const t0 = performance.now();
      for (let i = 0; i < o.callsPerSample; i++) tf.dispose(call(g)());
      await settle();
      return (performance.now() - t0) / o.callsPerSample;
    };
    // Interleave the two variants' samples so drifting machine load hits both alike.
    const fusedSamples: number[] = [];
    const unfusedSamples: number[] = [];
    for (let i = 0; i < o.warmup; i++) {
      await sample(variants.fused);
      await sample(variants.unfused);
    }
    for (let i = 0; i < o.reps; i++) {
      fusedSamples.push(await sample(variants.fused));
      unfusedSamples.push(await sample(variants.unfused));
    }
    const fusedCount = await countDispatches(call(variants.fused));
    const unfusedCount = await countDispatches(call(variants.unfused));
    await settle();
    tf.dispose([fusedCount.result, unfusedCount.result]);
    const fused = summarize(fusedSamples);
    const unfused = summarize(unfusedSamples);
    const row: KernelRow = {
      backend: tf.getBackend(),
      ...c,
      fused,
      unfused,
      speedup: unfused.medianMs / fused.medianMs,
      fusedDispatches: fusedCount.dispatches,
      unfusedDispatches: unfusedCount.dispatches,
    };
    if (tf.getBackend() === 'webgpu') {
      const [f, u] = [await gpuTime(call(variants.fused)), await gpuTime(call(variants.unfused))];
      row.fusedGpuMs = f?.ms;
      row.unfusedGpuMs = u?.ms;
      row.unfusedGpuPrograms = u?.programs;
    }
    rows.push(row);
    tf.dispose([pStar, u, v, dy]);
  }
  return rows;
}

/**
 * GPU time of f's dispatches from WebGPU timestamp queries (median of 3) and its split by
 * program (e.g. "ReduceProgram 512.3, MatMulPackedProgram 20.1"), or undefined without them.
 */
async function gpuTime(f: () => tf.Tensor[]): Promise<{ ms: number; programs: string } | undefined> {
  const backend = tf.backend() as unknown as { supportTimestampQuery?: boolean };
  if (!backend.supportTimestampQuery) return undefined;
  const runs: { ms: number; programs: string }[] = [];
  for (let i = 0; i < 3; i++) {
    let out: tf.Tensor[] = [];
    const info = (await tf.time(() => {
      out = f();
    })) as tf.TimingInfo & { getExtraProfileInfo?: () => string };
    tf.dispose(out);
    runs.push({ ms: info.kernelMs as number, programs: byProgram(info.getExtraProfileInfo?.() ?? '') });
  }
  runs.sort((a, b) => a.ms - b.ms);
  return runs[1];
}

/** "A: 1.5, B: 2, A: 3" -> "A 4.50, B 2.00", largest first. */
function byProgram(extra: string): string {
  const sums = new Map<string, number>();
  for (const part of extra.split(', ')) {
    const [name, ms] = part.split(': ');
    if (name && ms) sums.set(name, (sums.get(name) ?? 0) + Number(ms));
  }
  return [...sums].sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(', ');
}

/**
 * The fixed cost of one dispatch: a 1-element tf.add issued `calls` times back to back, then
 * one wait. On webgpu this is the per-dispatch overhead (recording, binding, submit batching).
 */
export async function dispatchOverheadMs(calls = 200, reps = 5): Promise<number> {
  const a = tf.tensor1d([1]);
  const b = tf.tensor1d([2]);
  const t = await repeat(
    async () => {
      for (let i = 0; i < calls; i++) tf.add(a, b).dispose();
      await settle();
    },
    { warmup: 1, reps },
  );
  tf.dispose([a, b]);
  return t.medianMs / calls;
}
