/**
 * The benchmark page (bench/index.html): exposes the suites to the runner (bench/run.ts) as
 * `window.mptBench`. Each call runs on the backend chosen last; models are built for the call
 * on that backend and freed after it.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initBackend, type BackendName } from '../src/model/backend';
import { layerOptions } from '../src/model/layers';
import { wasmIdentityOptions } from '../src/kernels/wasm-identity';
import { wasmMatMulOptions } from '../src/kernels/wasm-matmul';
import { parseT5Config, type T5Config } from '../src/model/config';
import { parseSafetensors } from '../src/model/safetensors';
import type { T5Model } from '../src/model/t5';
import { wasmFileUrls } from '../src/model/wasm-paths';
import { readCheckpoint, type T5Checkpoint } from '../src/model/weights';
import { modelFromCheckpoint, randomCheckpoint } from './lib/models';
import { dispatchOverheadMs, kernelSuite, type KernelOptions } from './suites/kernels';
import { matMulSuite, type MatMulCase } from './suites/matmul';
import { memorySuite } from './suites/memory';
import { profileStep } from './suites/profile';
import { scalingSuite, type ScalingGrid } from './suites/scaling';
import { peakBytesOfStep, runSteps, type StepKind, type StepOptions, type StepShape } from './suites/step';

/** Which weights: the bundled model (public/models/<default>/) or random ones of a config. */
export type ModelSpec = { kind: 'bundled'; path: string } | { kind: 'random'; config: T5Config; seed: number };

export interface ModelChoice {
  spec: ModelSpec;
  /** Keep [out, in] copies of the linear weights for the backward pass (T5ModelOptions). */
  transposedCopies: boolean;
}

// ?wasmThreads=N asks for N threads in tfjs-wasm's XNNPACK pool (before the backend starts; one
// page load, one pool size). tfjs 4.22 caps the pool at navigator.hardwareConcurrency / 2
// (backend.cc: "2 threads per core"), so on a 2-core machine it is 1 whatever setThreadsCount
// says; to get N, the page reports 2N logical cores to it.
const wasmThreads = Number(new URLSearchParams(location.search).get('wasmThreads'));
if (wasmThreads > 0) {
  const cores = navigator.hardwareConcurrency;
  if (cores < 2 * wasmThreads) Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => 2 * wasmThreads });
  setThreadsCount(wasmThreads);
}

const checkpoints = new Map<string, { config: T5Config; checkpoint: T5Checkpoint }>();

async function weights(spec: ModelSpec): Promise<{ config: T5Config; checkpoint: T5Checkpoint }> {
  const key = JSON.stringify(spec);
  let entry = checkpoints.get(key);
  if (!entry) {
    if (spec.kind === 'bundled') {
      const config = parseT5Config(await (await fetch(`${spec.path}config.json`)).text());
      const bytes = new Uint8Array(await (await fetch(`${spec.path}model.safetensors`)).arrayBuffer());
      entry = { config, checkpoint: readCheckpoint(new Map([['model.safetensors', parseSafetensors(bytes, 'model.safetensors')]]), config) };
    } else {
      entry = { config: spec.config, checkpoint: randomCheckpoint(spec.config, spec.seed) };
    }
    checkpoints.set(key, entry);
  }
  return entry;
}

async function withModel<T>(choice: ModelChoice, f: (model: T5Model) => Promise<T>): Promise<T> {
  const { config, checkpoint } = await weights(choice.spec);
  const model = modelFromCheckpoint(config, checkpoint, { transposedCopies: choice.transposedCopies });
  try {
    return await f(model);
  } finally {
    model.dispose();
  }
}

const api = {
  /** TF.js itself, for poking at things from the runner or devtools. */
  tf,

  /** The browser and its WebGPU adapter. */
  async info() {
    const adapter = await navigator.gpu?.requestAdapter();
    const a = (adapter as unknown as { info?: Record<string, unknown> } | null)?.info ?? {};
    return {
      userAgent: navigator.userAgent,
      crossOriginIsolated: globalThis.crossOriginIsolated,
      hardwareConcurrency: navigator.hardwareConcurrency,
      adapter: adapter
        ? {
            vendor: a.vendor,
            architecture: a.architecture,
            description: a.description,
            isFallbackAdapter: a.isFallbackAdapter,
            features: [...adapter.features].sort(),
          }
        : null,
      tfjs: tf.version.tfjs,
    };
  },

  async useBackend(name: BackendName) {
    const choice = await initBackend(name, { wasmPaths: wasmFileUrls });
    if (choice.name !== name) throw new Error(`backend ${name} did not start: ${choice.reason}`);
    return { ...choice, wasmThreads: name === 'wasm' ? getThreadsCount() : undefined };
  },

  /**
   * Run-time switches for A/B runs (bench/browser-ab.ts): the SIMD BatchMatMul and the
   * buffer-sharing Identity on wasm, the hand-written RMSNorm / gelu_new gradients. All on in the app.
   */
  setSwitches(s: { matmul?: boolean; identity?: boolean; customGradients?: boolean }) {
    if (s.matmul !== undefined) wasmMatMulOptions.enabled = s.matmul;
    if (s.identity !== undefined) wasmIdentityOptions.shared = s.identity;
    if (s.customGradients !== undefined) layerOptions.customGradients = s.customGradients;
  },

  /** Free weights cached for a model spec (the t5-small checkpoint is 240 MB). */
  forget(spec: ModelSpec) {
    checkpoints.delete(JSON.stringify(spec));
  },

  kernels(o: KernelOptions) {
    return withCpuForwardOff(() => kernelSuite(o));
  },

  dispatchOverhead() {
    return withCpuForwardOff(() => dispatchOverheadMs());
  },

  matMul(cases: MatMulCase[], reps: number) {
    return matMulSuite(cases, reps);
  },

  async modelConfig(spec: ModelSpec) {
    return (await weights(spec)).config;
  },

  steps(choice: ModelChoice, kinds: StepKind[], shape: StepShape, o: StepOptions) {
    return withModel(choice, async (model) => {
      const runs = [];
      for (const kind of kinds) runs.push(await runSteps(model, kind, shape, o));
      return runs;
    });
  },

  /** Peak bytes during one step of each kind. */
  peaks(choice: ModelChoice, kinds: StepKind[], shape: StepShape) {
    return withModel(choice, async (model) => {
      const runs = [];
      for (const kind of kinds) runs.push({ kind, backend: tf.getBackend(), ...(await peakBytesOfStep(model, kind, shape)) });
      return runs;
    });
  },

  scaling(choice: ModelChoice, base: StepShape, grid: ScalingGrid, o: StepOptions) {
    return withModel(choice, (model) => scalingSuite(model, base, grid, o));
  },

  memory(choice: ModelChoice, kinds: StepKind[], shape: StepShape, steps: number) {
    return withModel(choice, async (model) => {
      const runs = [];
      for (const kind of kinds) runs.push(await memorySuite(model, kind, shape, steps));
      return runs;
    });
  },

  profile(choice: ModelChoice, kinds: StepKind[], shape: StepShape) {
    return withModel(choice, async (model) => {
      const runs = [];
      for (const kind of kinds) runs.push(await profileStep(model, kind, shape));
      return runs;
    });
  },
};

/** On webgpu, tfjs runs small ops with CPU-resident inputs on the CPU; kernel timings should not. */
async function withCpuForwardOff<T>(f: () => Promise<T>): Promise<T> {
  const before = tf.env().getBool('WEBGPU_CPU_FORWARD');
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  try {
    return await f();
  } finally {
    tf.env().set('WEBGPU_CPU_FORWARD', before);
  }
}

export type BenchApi = typeof api;
declare global {
  interface Window {
    mptBench: BenchApi;
  }
}
window.mptBench = api;
document.title = 'mpt bench ready';
