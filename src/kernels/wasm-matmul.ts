import * as tf from '@tensorflow/tfjs';

/**
 * A batched / transposed matMul for tfjs-backend-wasm in WebAssembly SIMD.
 *
 * tfjs-wasm 4.22 sends only plain 2-D matMuls to XNNPACK; batched ones (attention's Q·Kᵀ and
 * P·V, batch = B·heads) and every transposed layout (the matMul gradients) go to a naive scalar
 * loop at ~2 GFLOP/s (BENCHMARKS.md). This file re-registers the wasm `BatchMatMul` kernel:
 * plain 2-D products still go to tfjs's own kernel (XNNPACK), the rest to the register-blocked
 * SIMD loop below, which works in place on tfjs's WASM heap (its module imports tfjs's memory).
 *
 * The module is assembled here from readable instructions (no toolchain, no binary blob): a
 * small encoder for the few WebAssembly instructions it needs, then the kernel.
 */

// ---------------------------------------------------------------------------------------------
// A minimal WebAssembly encoder.

const OPS: Record<string, number[]> = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: [0x0c],
  br_if: [0x0d],
  'local.get': [0x20],
  'local.set': [0x21],
  'local.tee': [0x22],
  'f32.store': [0x38],
  'i32.const': [0x41],
  'i32.eqz': [0x45],
  'i32.ne': [0x47],
  'i32.lt_s': [0x48],
  'i32.gt_s': [0x4a],
  'i32.ge_s': [0x4e],
  'i32.add': [0x6a],
  'i32.sub': [0x6b],
  'i32.mul': [0x6c],
  'v128.load': [0xfd, 0x00],
  'v128.load32_splat': [0xfd, 0x09],
  'v128.store': [0xfd, 0x0b],
  'v128.const': [0xfd, 0x0c],
  'f32x4.extract_lane': [0xfd, 0x1f],
  'f32x4.add': [0xfd, 0xe4, 0x01],
  'f32x4.mul': [0xfd, 0xe6, 0x01],
};

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec([...new TextEncoder().encode(s)].map((b) => [b]));

/**
 * Encodes one function body written as lines of flat WebAssembly text: `op [immediate...]`,
 * `$name` for locals (params first, then `locals` in order), memory ops as `op offset`, labels
 * as relative depths.
 */
function encodeBody(params: string[], locals: [string, 'i32' | 'v128'][], code: string[]): number[] {
  const index = new Map<string, number>();
  [...params, ...locals.map(([n]) => n)].forEach((n, i) => index.set(n, i));
  const out: number[] = [];
  for (const line of code) {
    const [op, ...args] = line.trim().split(/\s+/);
    const bytes = OPS[op];
    if (!bytes) throw new Error(`wasm-matmul: unknown op ${op}`);
    out.push(...bytes);
    if (op.startsWith('local.')) {
      const i = index.get(args[0]);
      if (i === undefined) throw new Error(`wasm-matmul: unknown local ${args[0]}`);
      out.push(...uleb(i));
    } else if (op === 'i32.const') out.push(...sleb(Number(args[0])));
    else if (op === 'br' || op === 'br_if' || op === 'f32x4.extract_lane') out.push(...uleb(Number(args[0])));
    else if (op === 'v128.const') out.push(...new Array(16).fill(0)); // only zero is used
    else if (op === 'f32.store' || op.startsWith('v128.load') || op === 'v128.store') {
      out.push(2, ...uleb(Number(args[0] ?? 0))); // align 2^2, offset
    }
  }
  out.push(0x0b);
  // Locals, one entry each (count 1).
  const decls = locals.map(([, t]) => [1, t === 'i32' ? 0x7f : 0x7b]);
  const body = [...vec(decls), ...out];
  return [...uleb(body.length), ...body];
}

// ---------------------------------------------------------------------------------------------
// The kernel: out[p] = A[p] · B[p] for p < batch, B row-major [k, n] (contiguous along n), A
// addressed by strides (plain [m, k] or transposed [k, m]). Blocks of R rows x 4V columns keep
// R·V f32x4 accumulators in registers; the inner loop runs over k.

const PARAMS = ['$a', '$b', '$c', '$batch', '$m', '$k', '$n', '$aBatch', '$bBatch', '$sai', '$sak', '$sbk'];
// Tiles tried (node, raw kernel, bundled-model and attention sizes): 4x8 28-32 GFLOP/s, 2x16 and
// 3x12 about the same, 4x12 and 6x8 26-28 (register spills), 8x4 22-23.
const ROWS = 4; // rows per block in the main loop
const VECS = 2; // f32x4 vectors per block row in the main loop (8 columns)

function kernelCode(): { locals: [string, 'i32' | 'v128'][]; code: string[] } {
  const locals: [string, 'i32' | 'v128'][] = [
    ['$p', 'i32'],
    ['$i', 'i32'],
    ['$j', 'i32'],
    ['$kk', 'i32'],
    ['$pb', 'i32'],
    ['$cRow', 'i32'],
    ['$n4', 'i32'],
    ['$rem', 'i32'],
    ['$av', 'v128'],
  ];
  for (let r = 0; r < ROWS; r++) locals.push([`$pa${r}`, 'i32']);
  for (let v = 0; v < VECS; v++) locals.push([`$bv${v}`, 'v128']);
  for (let r = 0; r < ROWS; r++) for (let v = 0; v < VECS; v++) locals.push([`$acc${r}_${v}`, 'v128']);

  /** One block of `rows` x 4·`vecs` columns at ($i, $j); `masked`: the last vector may be partial. */
  const block = (rows: number, vecs: number, masked: boolean): string[] => {
    const c: string[] = [];
    for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) c.push('v128.const', `local.set $acc${r}_${v}`);
    // pa_r = a + (i + r) * sai; pb = b + j * 4; kk = k
    for (let r = 0; r < rows; r++) {
      c.push('local.get $a', 'local.get $i');
      if (r > 0) c.push(`i32.const ${r}`, 'i32.add');
      c.push('local.get $sai', 'i32.mul', 'i32.add', `local.set $pa${r}`);
    }
    c.push('local.get $b', 'local.get $j', 'i32.const 4', 'i32.mul', 'i32.add', 'local.set $pb');
    c.push('local.get $k', 'local.set $kk');
    c.push('loop');
    for (let v = 0; v < vecs; v++) c.push('local.get $pb', `v128.load ${16 * v}`, `local.set $bv${v}`);
    for (let r = 0; r < rows; r++) {
      c.push(`local.get $pa${r}`, 'v128.load32_splat 0', 'local.set $av');
      for (let v = 0; v < vecs; v++) {
        c.push(`local.get $acc${r}_${v}`, 'local.get $av', `local.get $bv${v}`, 'f32x4.mul', 'f32x4.add', `local.set $acc${r}_${v}`);
      }
      c.push(`local.get $pa${r}`, 'local.get $sak', 'i32.add', `local.set $pa${r}`);
    }
    c.push('local.get $pb', 'local.get $sbk', 'i32.add', 'local.set $pb');
    c.push('local.get $kk', 'i32.const 1', 'i32.sub', 'local.tee $kk', 'br_if 0', 'end');
    // Store: cRow = c + i * n4 + j * 4, then one row after another.
    c.push('local.get $c', 'local.get $i', 'local.get $n4', 'i32.mul', 'i32.add', 'local.get $j', 'i32.const 4', 'i32.mul', 'i32.add', 'local.set $cRow');
    if (masked) c.push('local.get $n', 'local.get $j', 'i32.sub', 'local.set $rem');
    for (let r = 0; r < rows; r++) {
      if (r > 0) c.push('local.get $cRow', 'local.get $n4', 'i32.add', 'local.set $cRow');
      for (let v = 0; v < vecs; v++) {
        if (!masked) {
          c.push('local.get $cRow', `local.get $acc${r}_${v}`, `v128.store ${16 * v}`);
          continue;
        }
        // rem >= 4: whole vector; else lanes 0..rem-1.
        c.push('local.get $rem', 'i32.const 4', 'i32.ge_s', 'if');
        c.push('local.get $cRow', `local.get $acc${r}_${v}`, 'v128.store 0');
        c.push('else');
        c.push('local.get $cRow', `local.get $acc${r}_${v}`, 'f32x4.extract_lane 0', 'f32.store 0');
        for (let lane = 1; lane < 3; lane++) {
          c.push('local.get $rem', `i32.const ${lane}`, 'i32.gt_s', 'if');
          c.push('local.get $cRow', `local.get $acc${r}_${v}`, `f32x4.extract_lane ${lane}`, `f32.store ${4 * lane}`);
          c.push('end');
        }
        c.push('end');
      }
    }
    return c;
  };

  /** Columns of the rows at $i: blocks of 4·VECS columns, then single vectors (the last one masked). */
  const rowBlock = (rows: number): string[] => [
    'i32.const 0',
    'local.set $j',
    'block',
    'loop',
    ...['local.get $j', `i32.const ${4 * VECS}`, 'i32.add', 'local.get $n', 'i32.gt_s', 'br_if 1'],
    ...block(rows, VECS, false),
    ...['local.get $j', `i32.const ${4 * VECS}`, 'i32.add', 'local.set $j', 'br 0'],
    'end',
    'end',
    'block',
    'loop',
    ...['local.get $j', 'local.get $n', 'i32.ge_s', 'br_if 1'],
    ...block(rows, 1, true),
    ...['local.get $j', 'i32.const 4', 'i32.add', 'local.set $j', 'br 0'],
    'end',
    'end',
  ];

  const code = [
    ...['local.get $n', 'i32.const 4', 'i32.mul', 'local.set $n4'],
    ...['i32.const 0', 'local.set $p'],
    'block',
    'loop',
    ...['local.get $p', 'local.get $batch', 'i32.ge_s', 'br_if 1'],
    ...['i32.const 0', 'local.set $i'],
    // Blocks of ROWS rows, then single rows.
    'block',
    'loop',
    ...['local.get $i', `i32.const ${ROWS}`, 'i32.add', 'local.get $m', 'i32.gt_s', 'br_if 1'],
    ...rowBlock(ROWS),
    ...['local.get $i', `i32.const ${ROWS}`, 'i32.add', 'local.set $i', 'br 0'],
    'end',
    'end',
    'block',
    'loop',
    ...['local.get $i', 'local.get $m', 'i32.ge_s', 'br_if 1'],
    ...rowBlock(1),
    ...['local.get $i', 'i32.const 1', 'i32.add', 'local.set $i', 'br 0'],
    'end',
    'end',
    // Next batch entry.
    ...['local.get $a', 'local.get $aBatch', 'i32.add', 'local.set $a'],
    ...['local.get $b', 'local.get $bBatch', 'i32.add', 'local.set $b'],
    ...['local.get $c', 'local.get $m', 'local.get $n4', 'i32.mul', 'i32.add', 'local.set $c'],
    ...['local.get $p', 'i32.const 1', 'i32.add', 'local.set $p', 'br 0'],
    'end',
    'end',
  ];
  return { locals, code };
}

/** The module's bytes; `shared`: import a shared memory (tfjs's threaded build) or a plain one. */
export function matMulModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const { locals, code } = kernelCode();
  const i32 = 0x7f;
  const type = section(1, vec([[0x60, ...vec(PARAMS.map(() => [i32])), ...vec([])]]));
  const limits = shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]]));
  const funcs = section(3, vec([uleb(0)]));
  const exports = section(7, vec([[...name('bmm'), 0x00, ...uleb(0)]]));
  const codeSec = section(10, vec([encodeBody(PARAMS, locals, code)]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...codeSec]);
}

// ---------------------------------------------------------------------------------------------
// The tfjs kernel.

type Bmm = ((...args: number[]) => void) & { memory: WebAssembly.Memory };

interface WasmModuleLike {
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
}

interface WasmBackendLike {
  wasm: WasmModuleLike;
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: unknown): void;
}

const instances = new WeakMap<object, Bmm | null>();

function kernelFor(backend: WasmBackendLike): Bmm | null {
  if (instances.has(backend.wasm)) return instances.get(backend.wasm)!;
  let bmm: Bmm | null = null;
  try {
    const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
    if (memory && typeof WebAssembly !== 'undefined') {
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      const module = new WebAssembly.Module(matMulModuleBytes(shared));
      const f = new WebAssembly.Instance(module, { env: { memory } }).exports.bmm as (...args: number[]) => void;
      bmm = Object.assign(f, { memory });
    }
  } catch {
    bmm = null; // no SIMD, or synchronous compilation refused: keep tfjs's kernel
  }
  instances.set(backend.wasm, bmm);
  return bmm;
}

let installed = false;
/** Counts of products each path ran, for tests and benchmarks. */
export const wasmMatMulStats = { simd: 0, fallback: 0 };
/**
 * `enabled`: false runs tfjs's own kernel for everything (A/B benchmarks). `plain2d`: also run
 * plain 2-D products on the SIMD kernel instead of XNNPACK.
 */
export const wasmMatMulOptions = { enabled: true, plain2d: false };

/**
 * Re-registers tfjs-wasm's BatchMatMul so that batched and transposed products run the SIMD
 * kernel. Idempotent; a no-op when the wasm backend's kernels are not registered.
 */
export function installWasmMatMul(): void {
  if (installed) return;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original) return;
  installed = true;
  const transposeKernel = tf.getKernel('Transpose', 'wasm')!;
  const kernelFunc: tf.KernelFunc = (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as unknown as WasmBackendLike;
    const a = inputs.a as tf.TensorInfo;
    const b = inputs.b as tf.TensorInfo;
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const ra = a.shape.length;
    const rb = b.shape.length;
    const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
    const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
    const plain2d =
      (batchA === 1 && batchB === 1 && !transposeA && !transposeB && !wasmMatMulOptions.plain2d) || !wasmMatMulOptions.enabled;
    const bmm = plain2d || a.dtype !== 'float32' || b.dtype !== 'float32' ? null : kernelFor(backend);
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const sameBatch = batchA === batchB || batchA === 1 || batchB === 1;
    if (!bmm || !sameBatch || k === 0 || (transposeB ? b.shape[rb - 1] : b.shape[rb - 2]) !== k) {
      wasmMatMulStats.fallback++;
      return original.kernelFunc(args);
    }
    const batch = Math.max(batchA, batchB);
    const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
    // B must be contiguous along n: a transposed B is transposed first (tfjs's Transpose kernel).
    let bRowMajor = b;
    if (transposeB) {
      bRowMajor = transposeKernel.kernelFunc({
        inputs: { x: { ...b, shape: [batchB, n, k] } as tf.TensorInfo },
        backend: args.backend,
        attrs: { perm: [0, 2, 1] },
      }) as tf.TensorInfo;
    }
    const out = backend.makeOutput(outShape, 'float32');
    if (m > 0 && n > 0 && batch > 0) {
      const aPtr = backend.dataIdMap.get(a.dataId).memoryOffset;
      const bPtr = backend.dataIdMap.get(bRowMajor.dataId).memoryOffset;
      const cPtr = backend.dataIdMap.get(out.dataId).memoryOffset;
      // The last, partial vector of a row loads up to 3 floats past the row (never stored): past
      // B's end on its last row. malloc keeps a chunk header after every block, so this stays in
      // linear memory; checked anyway.
      if (bPtr + batchB * k * n * 4 + 16 > bmm.memory.buffer.byteLength) {
        if (transposeB) backend.disposeData(bRowMajor.dataId);
        backend.disposeData(out.dataId);
        wasmMatMulStats.fallback++;
        return original.kernelFunc(args);
      }
      bmm(
        aPtr,
        bPtr,
        cPtr,
        batch,
        m,
        k,
        n,
        batchA === 1 ? 0 : m * k * 4,
        batchB === 1 ? 0 : k * n * 4,
        transposeA ? 4 : k * 4, // A(i, kk) = a + i * sai + kk * sak
        transposeA ? m * 4 : 4,
        n * 4,
      );
    }
    if (transposeB) backend.disposeData(bRowMajor.dataId);
    wasmMatMulStats.simd++;
    return out;
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...original, kernelFunc });
}
