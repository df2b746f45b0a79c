import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ensureComposeKernelsCompile } from '../kernels/compose-prompts';
import { installWasmSharedIdentity } from '../kernels/wasm-identity';
import { installWasmMatMul } from '../kernels/wasm-matmul';

/**
 * Picks where tensors run: WebGPU on a real GPU, else WASM (threaded SIMD when the page is
 * cross-origin isolated), else tfjs's plain JS cpu backend. A software WebGPU adapter such as
 * SwiftShader is correct but ~40x slower than threaded WASM (PLATFORM.md), so auto skips it.
 */

export type BackendName = 'webgpu' | 'wasm' | 'cpu';
export type BackendPreference = BackendName | 'auto';

export interface BackendChoice {
  name: BackendName;
  /** One sentence the user sees: why this backend. */
  reason: string;
  /** The WebGPU adapter, e.g. "google swiftshader (fallback)", when one was found. */
  adapter?: string;
  /** WASM only: whether the multi-threaded build runs. */
  threads?: boolean;
}

export interface BackendOptions {
  /** Where tfjs-backend-wasm finds its .wasm files: a folder prefix, or a map from file name to URL. */
  wasmPaths?: string | Record<string, string>;
  /** Called if the WebGPU device is lost later (driver reset, tab in background on some OSes). */
  onDeviceLost?: (message: string) => void;
}

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

interface AdapterReport {
  name: string; // vendor and architecture, e.g. "google swiftshader"
  description: string; // the name, marked "(fallback)" for software adapters
  isFallback: boolean;
}

async function probeWebGpu(): Promise<AdapterReport | null> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return null;
  // `adapter.info` (with isFallbackAdapter) is newer than the WebGPU type definitions.
  const info = (adapter as unknown as { info: AdapterInfo }).info ?? {};
  const isFallback =
    info.isFallbackAdapter === true || /swiftshader/i.test(`${info.architecture} ${info.vendor} ${info.description}`);
  const name = [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  return { name, description: isFallback ? `${name} (fallback)` : name, isFallback };
}

async function activate(name: BackendName, options: BackendOptions): Promise<boolean> {
  if (name === 'wasm' && options.wasmPaths) {
    setWasmPaths(options.wasmPaths as Parameters<typeof setWasmPaths>[0]);
  }
  // Batched and transposed matMuls (attention, gradients) in WASM SIMD instead of tfjs-wasm's
  // scalar loop: 14-23x faster per product, ~2x per training step (BENCHMARKS.md).
  // And Identity / same-dtype Cast share the buffer instead of copying it (the gradient tape
  // clones every tensor it saves).
  if (name === 'wasm') {
    installWasmMatMul();
    installWasmSharedIdentity();
  }
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
  } catch {
    return false;
  }
  // Our WGSL kernels are compiled once up front: a broken pipeline must be an error now, not
  // silent zeros mid-training (tfjs never checks WebGPU errors itself).
  if (name === 'webgpu') await ensureComposeKernelsCompile();
  if (name === 'webgpu' && options.onDeviceLost) {
    const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
    void device?.lost.then((info) => options.onDeviceLost?.(`WebGPU device lost: ${info.message || info.reason}`));
  }
  return true;
}

function wasmThreads(): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated !== false;
}

export async function initBackend(preference: BackendPreference, options: BackendOptions = {}): Promise<BackendChoice> {
  const adapter = await probeWebGpu();
  const adapterName = adapter?.description;
  const failures: string[] = [];

  const tryBackend = async (name: BackendName, reason: string): Promise<BackendChoice | null> => {
    if (await activate(name, options)) {
      const threads = name === 'wasm' ? wasmThreads() : undefined;
      const detail = name === 'wasm' && !threads ? ' (single-threaded: the page is not cross-origin isolated)' : '';
      return { name, reason: [...failures, reason + detail].join('; '), adapter: adapterName, threads };
    }
    failures.push(`${name} failed to start`);
    return null;
  };

  if (preference !== 'auto') {
    const chosen = await tryBackend(preference, `${preference} chosen by the user`);
    if (chosen) return chosen;
  } else if (adapter && !adapter.isFallback) {
    const chosen = await tryBackend('webgpu', `hardware WebGPU adapter: ${adapter.description}`);
    if (chosen) return chosen;
  }

  const whyNotGpu =
    preference !== 'auto'
      ? 'using WASM instead'
      : adapter?.isFallback
        ? `the WebGPU adapter is a software fallback (${adapter.name}), slower than WASM: using WASM`
        : 'no WebGPU adapter: using WASM';
  const wasm = await tryBackend('wasm', whyNotGpu);
  if (wasm) return wasm;
  const cpu = await tryBackend('cpu', 'using the plain JavaScript cpu backend (slowest)');
  if (cpu) return cpu;
  throw new Error(`no TensorFlow.js backend could start: ${failures.join('; ')}`);
}
