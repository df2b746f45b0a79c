/** Backend plumbing for the benchmarks: waiting for queued GPU work, counting dispatches. */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';


/**
 * Returns once every op issued so far has finished. wasm and cpu run ops synchronously; on
 * webgpu tfjs only records commands, so submit them and wait for the queue (no read-back).
 */
export async function settle(): Promise<void> {
  if (tf.getBackend() !== 'webgpu') return;
  const backend = tf.backend() as unknown as WebGPUBackend;
  if ((backend as unknown as { commandEncoder: GPUCommandEncoder | null }).commandEncoder) {
    backend.endComputePassEncoder();
    backend.submitQueue();
  }
  await backend.device.queue.onSubmittedWorkDone();
}

/**
 * Runs `f` and counts the compute work it issued: WebGPU programs dispatched on webgpu (our
 * WGSL kernels included, which tf.profile does not see), kernels other than free reshapes
 * elsewhere. Returns f's result and the count.
 */
export async function countDispatches<T extends tf.TensorContainer>(f: () => T): Promise<{ result: T; dispatches: number; names: string[] }> {
  if (tf.getBackend() === 'webgpu') {
    const backend = tf.backend() as unknown as { runWebGPUProgram: (...args: unknown[]) => unknown };
    const original = backend.runWebGPUProgram;
    const names: string[] = [];
    backend.runWebGPUProgram = function (this: unknown, ...args: unknown[]) {
      names.push((args[0] as { shaderKey?: string; constructor: { name: string } }).constructor.name);
      return original.apply(this, args);
    };
    try {
      const result = f();
      return { result, dispatches: names.length, names };
    } finally {
      backend.runWebGPUProgram = original;
    }
  }
  let result!: T;
  const profile = await tf.profile(() => {
    result = f();
    return result;
  });
  const names = profile.kernels.map((k) => k.name).filter((n) => !FREE_KERNELS.has(n));
  return { result, dispatches: names.length, names };
}

/** Kernels that move no data on wasm/cpu (metadata only). */
const FREE_KERNELS = new Set(['Reshape', 'Identity']);

/** What the page reports about the backend in use. */
export interface BackendInfo {
  name: string;
  /** wasm: threads in tfjs-wasm's pool (1 = single-threaded build). */
  wasmThreads?: number;
  webgpuAdapter?: string;
}
