/**
 * MPT prompt composition (Wang et al., ICLR 2023): every task's prompt is the shared prompt
 * scaled element-wise by a low-rank, task-specific matrix,
 *
 *     P̂_k = P* ⊙ (U_k V_kᵀ)        P* [l, d],  U [K, l, r],  V [K, d, r],  P̂ [K, l, d]
 *
 * (l prompt positions, d model width, K tasks, rank r: 1 in the paper, any r >= 1 works).
 * Backward, given dP̂ [K, l, d]:
 *
 *     dP*  = Σ_k dP̂_k ⊙ (U_k V_kᵀ)      [l, d]
 *     dU_k = (dP̂_k ⊙ P*) V_k            [K, l, r]
 *     dV_k = (dP̂_k ⊙ P*)ᵀ U_k           [K, d, r]
 *
 * `composePrompts` is one differentiable op (tf.customGrad). On the `webgpu` backend it runs
 * four hand-written WGSL programs (kernels/*.wgsl); on any other backend (wasm, cpu) it runs
 * the same maths with tfjs matMul/mul/sum.
 *
 * Memory layout and dispatch shape. All tensors are dense row-major float32, so the last axis
 * (d for P*, P̂ and dP̂; r for U and V) is contiguous. Each WGSL program writes one output
 * tensor in ONE dispatch covering all K tasks (never one dispatch per task): a flat 1-D grid of
 * 64-wide workgroups with one invocation per output element, in the output's row-major order.
 * Each invocation does its own reduction (over r, K, l or d), so no float atomics and no
 * barriers are needed.
 *  - forward [K, l, d], dP* [l, d], dV [K, d, r]: consecutive invocations step along d, the
 *    contiguous axis of P*, P̂ and dP̂, and their reductions walk another axis, so at every loop
 *    step a workgroup reads one contiguous run (coalesced) and writes one.
 *  - dU [K, l, r] sums along d itself: each invocation streams its own contiguous row of dP̂
 *    and P*. A workgroup-per-row tree reduction would coalesce better on a GPU, but its
 *    barriers made it 7-60x slower on SwiftShader (CPU WebGPU); the op is tiny either way.
 * Four dispatches per forward + backward (the unfused tfjs expression takes about seven).
 *
 * Errors. WebGPU reports invalid WGSL (and any other validation error) asynchronously, and
 * tfjs does not look: a broken shader silently yields zeros. So the kernels are compiled and
 * run once, on tiny inputs, inside `device.pushErrorScope('validation')` by
 * `ensureComposeKernelsCompile()`, which throws an Error naming the kernel. Await it after
 * `tf.setBackend('webgpu')`; until it has succeeded, `composePrompts` on webgpu throws rather
 * than risk silent zeros. tfjs caches pipelines by kernel and input ranks, not sizes; the few
 * variants it may still compile later (e.g. when two shapes happen to be equal) differ only in
 * tfjs's generated helpers, not in our WGSL, so the check covers every later call.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

import forwardWgsl from '../../kernels/compose-prompts.wgsl?raw';
import gradSharedWgsl from '../../kernels/compose-prompts-grad-shared.wgsl?raw';
import gradUWgsl from '../../kernels/compose-prompts-grad-u.wgsl?raw';
import gradVWgsl from '../../kernels/compose-prompts-grad-v.wgsl?raw';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * P̂ = P* ⊙ (U Vᵀ) for all K tasks at once, differentiable in all three inputs.
 * @param pStar the shared prompt, [l, d]
 * @param u the left factors, [K, l, r]
 * @param v the right factors, [K, d, r]
 * @returns the composed prompts, [K, l, d]
 */
export function composePrompts(pStar: tf.Tensor2D, u: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  checkShapes(pStar, u, v);
  if (tf.getBackend() === 'webgpu') assertKernelsChecked();
  return composeOp(pStar, u, v) as tf.Tensor3D;
}

/**
 * Compiles and runs each WebGPU kernel once under a validation error scope and throws an Error
 * naming the first kernel that fails. Call (and await) it after `tf.setBackend('webgpu')`,
 * before `composePrompts`. Repeated calls share one check per backend instance. On any other
 * backend it resolves at once: nothing to compile.
 */
export async function ensureComposeKernelsCompile(): Promise<void> {
  if (tf.getBackend() !== 'webgpu') return;
  const backend = tf.backend() as unknown as WebGPUBackend;
  let check = checks.get(backend);
  if (!check) {
    check = { promise: checkAllKernels(backend) };
    checks.set(backend, check);
    check.promise.then(
      () => (check!.ok = true),
      (error: unknown) => (check!.error = error as Error),
    );
  }
  await check.promise;
}

/**
 * Runs a WGSL kernel once on `inputs` under WebGPU validation and internal error scopes and
 * throws `Error('WebGPU kernel "<name>" ...')` if the device reports any error. This is the
 * check `ensureComposeKernelsCompile` runs for each kernel; it is exported so that tests can
 * show that a broken shader throws instead of giving zeros. Requires the webgpu backend.
 */
export async function checkWgslKernel(kernel: WgslKernel, inputs: tf.Tensor[], outputShape: number[]): Promise<void> {
  if (tf.getBackend() !== 'webgpu') throw new Error(`checkWgslKernel("${kernel.name}") needs the webgpu backend`);
  await checkKernelOn(tf.backend() as unknown as WebGPUBackend, kernel, inputs, outputShape);
}

/** A WGSL program body for tfjs's webgpu backend: the `fn main(index : i32)` user code. */
export interface WgslKernel {
  /** Names the kernel in errors and keys tfjs's pipeline cache (with a hash of the source). */
  name: string;
  /** The user code; tfjs prepends the bindings, uniforms and get<Input>(...) helpers. */
  source: string;
  /** Input names in binding order: tfjs generates get<Name>(...) and uniforms.<name>Shape. */
  variableNames: string[];
}

// ---------------------------------------------------------------------------------------------
// The kernels (WGSL files in kernels/, imported as strings by Vite's ?raw)
// ---------------------------------------------------------------------------------------------

/** forward: [pStar [l,d], u [K,l,r], v [K,d,r]] → P̂ [K,l,d] */
const FORWARD: WgslKernel = {
  name: 'compose-prompts',
  source: forwardWgsl,
  variableNames: ['pStar', 'u', 'v'],
};
/** [dy [K,l,d], u [K,l,r], v [K,d,r]] → dP* [l,d] */
const GRAD_SHARED: WgslKernel = {
  name: 'compose-prompts-grad-shared',
  source: gradSharedWgsl,
  variableNames: ['dy', 'u', 'v'],
};
/** [dy [K,l,d], pStar [l,d], v [K,d,r]] → dU [K,l,r] */
const GRAD_U: WgslKernel = {
  name: 'compose-prompts-grad-u',
  source: gradUWgsl,
  variableNames: ['dy', 'pStar', 'v'],
};
/** [dy [K,l,d], pStar [l,d], u [K,l,r]] → dV [K,d,r] */
const GRAD_V: WgslKernel = {
  name: 'compose-prompts-grad-v',
  source: gradVWgsl,
  variableNames: ['dy', 'pStar', 'u'],
};

/** Invocations per workgroup (tfjs's usual size for flat element-wise programs). */
const WORKGROUP_SIZE = 64;

// ---------------------------------------------------------------------------------------------
// The op: one customGrad, two implementations
// ---------------------------------------------------------------------------------------------

const composeOp = tf.customGrad((...args: unknown[]) => {
  const [pStar, u, v, save] = args as [tf.Tensor2D, tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
  save([pStar, u, v]);
  const value = tf.getBackend() === 'webgpu' ? forwardWebGpu(pStar, u, v) : forwardTfjs(pStar, u, v);
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [p, uu, vv] = saved as [tf.Tensor2D, tf.Tensor3D, tf.Tensor3D];
    const dy3 = dy as tf.Tensor3D;
    return tf.getBackend() === 'webgpu' ? backwardWebGpu(dy3, p, uu, vv) : backwardTfjs(dy3, p, uu, vv);
  };
  return { value, gradFunc };
});

/** The CPU/WASM path: [K,l,r] × [K,d,r]ᵀ → [K,l,d], then broadcast P* [l,d] over K. */
function forwardTfjs(pStar: tf.Tensor2D, u: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => tf.mul(pStar, tf.matMul(u, v, false, true)));
}

/** The CPU/WASM backward: plain matMuls and a sum over K; returns [dP* [l,d], dU [K,l,r], dV [K,d,r]]. */
function backwardTfjs(dy: tf.Tensor3D, pStar: tf.Tensor2D, u: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor[] {
  return tf.tidy(() => {
    const dPStar = tf.sum(tf.mul(dy, tf.matMul(u, v, false, true)), 0); // Σ_k dP̂_k ⊙ U_k V_kᵀ
    const g = tf.mul(dy, pStar); // [K,l,d]: dP̂_k ⊙ P*
    const dU = tf.matMul(g, v); // [K,l,d] × [K,d,r]
    const dV = tf.matMul(g, u, true, false); // [K,l,d]ᵀ × [K,l,r]
    return [dPStar, dU, dV];
  });
}

function forwardWebGpu(pStar: tf.Tensor2D, u: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  const [K, l] = u.shape;
  const d = pStar.shape[1];
  return runKernel(FORWARD, [pStar, u, v], [K, l, d]) as tf.Tensor3D;
}

function backwardWebGpu(dy: tf.Tensor3D, pStar: tf.Tensor2D, u: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor[] {
  return [
    runKernel(GRAD_SHARED, [dy, u, v], pStar.shape),
    runKernel(GRAD_U, [dy, pStar, v], u.shape),
    runKernel(GRAD_V, [dy, pStar, u], v.shape),
  ];
}

// ---------------------------------------------------------------------------------------------
// Running WGSL through tfjs's webgpu backend
// ---------------------------------------------------------------------------------------------

/** Records one dispatch of `kernel` and wraps its output in a tfjs tensor. */
function runKernel(kernel: WgslKernel, inputs: tf.Tensor[], outputShape: number[]): tf.Tensor {
  const backend = tf.backend() as unknown as WebGPUBackend;
  // A new program object per call: runWebGPUProgram writes shaderKey and dispatch into it.
  const info = backend.runWebGPUProgram(makeProgram(kernel, outputShape), inputs, 'float32');
  return tf.engine().makeTensorFromTensorInfo(info);
}

/**
 * The program object tfjs compiles: it wraps `getUserCode()` with bindings for the output
 * (`result`, written by setOutputAtIndex) and the inputs (`variableNames`), a uniform struct
 * with every shape and stride (+ `size` = output length when `size` is set), and an entry
 * point calling `main(global invocation index)` with the given workgroup size.
 */
function makeProgram(kernel: WgslKernel, outputShape: number[]): WebGPUProgram {
  const outputSize = outputShape.reduce((a, b) => a * b, 1);
  return {
    variableNames: kernel.variableNames,
    outputShape,
    // Flat: the invocation index runs over one axis; tfjs spreads it over y/z only if the
    // workgroup count passes the device limit (65,535), and main() still gets the flat index.
    dispatchLayout: { x: outputShape.map((_, axis) => axis) },
    dispatch: [Math.ceil(outputSize / WORKGROUP_SIZE), 1, 1],
    workgroupSize: [WORKGROUP_SIZE, 1, 1],
    size: true, // uniforms.size = outputSize, for the bounds check of the last workgroup
    shaderKey: shaderKeyOf(kernel),
    getUserCode: () => kernel.source,
  };
}

const shaderKeys = new WeakMap<WgslKernel, string>();

/**
 * tfjs caches one pipeline per shader key (plus the input ranks and dtypes it appends). The
 * hash of the source keeps two sources under one name apart (a test's broken shader, a reload).
 */
function shaderKeyOf(kernel: WgslKernel): string {
  let key = shaderKeys.get(kernel);
  if (!key) {
    key = `mpt_${kernel.name}_${hashString(kernel.source)}`;
    shaderKeys.set(kernel, key);
  }
  return key;
}

function hashString(text: string): string {
  let h = 0x811c9dc5; // FNV-1a, 32-bit
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/** Ends tfjs's open compute pass and submits its command encoder, if any. */
function flush(backend: WebGPUBackend): void {
  if ((backend as unknown as { commandEncoder: GPUCommandEncoder | null }).commandEncoder) {
    backend.endComputePassEncoder();
    backend.submitQueue();
  }
}

// ---------------------------------------------------------------------------------------------
// The compile check, once per backend instance
// ---------------------------------------------------------------------------------------------

async function checkKernelOn(
  backend: WebGPUBackend,
  kernel: WgslKernel,
  inputs: tf.Tensor[],
  outputShape: number[],
): Promise<void> {
  const device = backend.device;
  // tfjs batches dispatches in one command encoder; an invalid pipeline makes the whole
  // command buffer invalid. Submit pending work first and our dispatch right after, so an
  // error is ours alone and no other op's results are lost.
  flush(backend);
  device.pushErrorScope('internal');
  device.pushErrorScope('validation');
  let program: WebGPUProgram | undefined;
  let thrown: unknown;
  try {
    program = makeProgram(kernel, outputShape);
    const info = backend.runWebGPUProgram(program, inputs, 'float32');
    backend.disposeData(info.dataId);
    flush(backend);
  } catch (e) {
    thrown = e; // still pop the scopes below
  }
  const validation = await device.popErrorScope();
  const internal = await device.popErrorScope();
  const error = validation ?? internal;
  if (error) {
    // Drop the invalid pipeline from tfjs's cache, so nothing reuses it silently.
    const cache = (backend as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache;
    if (program?.shaderKey) delete cache[program.shaderKey];
    throw new Error(
      `WebGPU kernel "${kernel.name}" failed to compile or validate: ${error.message}\n(line numbers count in ` +
        `the shader tfjs generates around the WGSL file; tf.env().set('WEBGPU_PRINT_SHADER', 'mpt_') logs it)`,
    );
  }
  if (thrown !== undefined) throw thrown;
}

interface KernelCheck {
  promise: Promise<void>;
  ok?: boolean;
  error?: Error;
}

const checks = new WeakMap<object, KernelCheck>();

async function checkAllKernels(backend: WebGPUBackend): Promise<void> {
  // Tiny inputs (K=2, l=3, d=5, r=2); every size differs, so a swapped axis cannot hide.
  const [K, l, d, r] = [2, 3, 5, 2];
  const pStar = tf.ones([l, d]);
  const u = tf.ones([K, l, r]);
  const v = tf.ones([K, d, r]);
  const dy = tf.ones([K, l, d]);
  try {
    await checkKernelOn(backend, FORWARD, [pStar, u, v], [K, l, d]);
    await checkKernelOn(backend, GRAD_SHARED, [dy, u, v], [l, d]);
    await checkKernelOn(backend, GRAD_U, [dy, pStar, v], [K, l, r]);
    await checkKernelOn(backend, GRAD_V, [dy, pStar, u], [K, d, r]);
  } finally {
    tf.dispose([pStar, u, v, dy]);
  }
}

function assertKernelsChecked(): void {
  const check = checks.get(tf.backend());
  if (check?.error) throw new Error(`composePrompts: ${check.error.message}`, { cause: check.error });
  if (!check?.ok) {
    throw new Error(
      'composePrompts: the WebGPU kernels have not been checked yet; await ensureComposeKernelsCompile() ' +
        "after tf.setBackend('webgpu') (an unchecked broken shader would silently return zeros)",
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Shape checks
// ---------------------------------------------------------------------------------------------

function checkShapes(pStar: tf.Tensor, u: tf.Tensor, v: tf.Tensor): void {
  const fmt = (t: tf.Tensor) => `[${t.shape.join(', ')}]`;
  for (const [name, t] of [['pStar', pStar], ['u', u], ['v', v]] as const) {
    if (t.dtype !== 'float32') throw new Error(`composePrompts: ${name} must be float32, got ${t.dtype}`);
    if (t.shape.some((n) => n < 1)) throw new Error(`composePrompts: ${name} has an empty axis: ${fmt(t)}`);
  }
  if (pStar.rank !== 2) throw new Error(`composePrompts: pStar must be [l, d] (2-D), got ${fmt(pStar)}`);
  const [l, d] = pStar.shape;
  if (u.rank !== 3 || u.shape[1] !== l) {
    throw new Error(`composePrompts: u must be [K, l, r] with l = ${l} (pStar's rows), got ${fmt(u)}`);
  }
  const [K, , r] = u.shape;
  if (v.rank !== 3 || v.shape[0] !== K || v.shape[1] !== d || v.shape[2] !== r) {
    throw new Error(
      `composePrompts: v must be [K, d, r] = [${K}, ${d}, ${r}] (K and r from u, d = pStar's columns), got ${fmt(v)}`,
    );
  }
}
