/** Tensor count and bytes over many training steps (must stay flat), and each step's peak. */
import type { T5Model } from '../../src/model/t5';
import { peakBytesOfStep, runSteps, type MemorySample, type StepKind, type StepShape } from './step';

export interface MemoryRun {
  backend: string;
  kind: StepKind;
  shape: StepShape;
  steps: number;
  /** After the first step and after the last. */
  first: MemorySample;
  last: MemorySample;
  maxTensors: number;
  maxBytes: number;
  /** Same tensor count and bytes after the last step as after the first. */
  flat: boolean;
  /** Peak bytes during one step (tf.profile) and the bytes held before it. */
  peakBytes: number;
  baseBytes: number;
  /** WASM heap or WebGPU buffers allocated after the run (see peakBytesOfStep). */
  backendBytes?: number;
  /** Every step's sample, thinned to at most 100 for the plot. */
  series: MemorySample[];
}

export async function memorySuite(model: T5Model, kind: StepKind, shape: StepShape, steps: number): Promise<MemoryRun> {
  const run = await runSteps(model, kind, shape, { warmup: 0, reps: steps, recordMemory: true });
  const samples = run.memory!;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const peak = await peakBytesOfStep(model, kind, shape);
  const every = Math.max(1, Math.ceil(samples.length / 100));
  return {
    backend: run.backend,
    kind,
    shape,
    steps: samples.length,
    first,
    last,
    maxTensors: Math.max(...samples.map((m) => m.numTensors)),
    maxBytes: Math.max(...samples.map((m) => m.numBytes)),
    flat: last.numTensors === first.numTensors && last.numBytes === first.numBytes,
    peakBytes: peak.peakBytes,
    baseBytes: peak.baseBytes,
    backendBytes: peak.backendBytes,
    series: samples.filter((_, i) => i % every === 0 || i === samples.length - 1),
  };
}
