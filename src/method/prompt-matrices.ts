import type { PromptSnapshot } from './pipeline';
import type { HostTensor } from '../model/weights';

/**
 * The matrices the method view draws (and tools/mpt/inspect-vectors.ts prints), computed on the
 * host from a snapshot of P* [l, d], U [K, l, r] and V [K, d, r]: P̂_k = P* ⊙ (u_k v_kᵀ), exactly
 * as the model composes it.
 */

/** A row-major matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** Task k's slice of U or V [K, n, r] as an [n, r] matrix (no copy). */
export function taskSlice(t: HostTensor, k: number): Matrix {
  const [, n, r] = t.shape;
  return { rows: n, cols: r, data: t.data.subarray(k * n * r, (k + 1) * n * r) };
}

export function transpose(m: Matrix): Matrix {
  const data = new Float32Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) data[j * m.rows + i] = m.data[i * m.cols + j];
  return { rows: m.cols, cols: m.rows, data };
}

/** u vᵀ for u [l, r], v [d, r]: [l, d]. */
export function lowRank(u: Matrix, v: Matrix): Matrix {
  const { rows: l, cols: r } = u;
  const d = v.rows;
  const data = new Float32Array(l * d);
  for (let i = 0; i < l; i++) {
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let c = 0; c < r; c++) sum += u.data[i * r + c] * v.data[j * r + c];
      data[i * d + j] = sum;
    }
  }
  return { rows: l, cols: d, data };
}

export function hadamard(a: Matrix, b: Matrix): Matrix {
  return { rows: a.rows, cols: a.cols, data: a.data.map((x, i) => x * b.data[i]) };
}

export function asMatrix(t: HostTensor): Matrix {
  const [rows, cols] = t.shape;
  return { rows, cols, data: t.data };
}

/** Every matrix of task k in a snapshot. */
export function taskMatrices(snapshot: PromptSnapshot, k: number) {
  const shared = asMatrix(snapshot.shared);
  const u = taskSlice(snapshot.u, k);
  const v = taskSlice(snapshot.v, k);
  const uv = lowRank(u, v);
  return { shared, u, v, uv, prompt: hadamard(shared, uv) };
}

/** Every task's P̂_k in a snapshot. */
export function composedPrompts(snapshot: PromptSnapshot): Float32Array[] {
  return Array.from({ length: snapshot.u.shape[0] }, (_, k) => taskMatrices(snapshot, k).prompt.data);
}

export function norm(data: Float32Array): number {
  let sum = 0;
  for (const x of data) sum += x * x;
  return Math.sqrt(sum);
}

/** Cosine similarity of every pair of flattened prompts: [n, n]. */
export function cosineSimilarities(prompts: Float32Array[]): Matrix {
  const n = prompts.length;
  const norms = prompts.map(norm);
  const data = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let dot = 0;
      const a = prompts[i];
      const b = prompts[j];
      for (let x = 0; x < a.length; x++) dot += a[x] * b[x];
      const cos = norms[i] > 0 && norms[j] > 0 ? dot / (norms[i] * norms[j]) : 0;
      data[i * n + j] = cos;
      data[j * n + i] = cos;
    }
  }
  return { rows: n, cols: n, data };
}

/** The largest |value|, the half-width of a diverging colour scale centred on 0. */
export function maxAbs(data: Float32Array): number {
  let max = 0;
  for (const x of data) max = Math.max(max, Math.abs(x));
  return max;
}
