/**
 * Training steps as the app runs them: stage 1 (prompt tuning, `trainPrompt`) and stage 2
 * (distillation into P* ⊙ (u vᵀ) with the teachers' forward pass, `distill`), through the real
 * training loop (src/method/train-loop.ts), on synthetic batches of fixed lengths. Each step's
 * time is the loop's own measurement (sampling, batch upload, forward, backward, Adam, reading
 * the losses back), the examples/s the app shows.
 */
import * as tf from '@tensorflow/tfjs';
import type { EncodedExample } from '../../src/method/batches';
import { defaultSettings, type MethodSettings } from '../../src/method/settings';
import { distill, trainPrompt, type TrainedPrompts } from '../../src/method/stages';
import type { StepReport } from '../../src/method/train-loop';
import type { T5Model } from '../../src/model/t5';
import { summarize, type Timing } from '../lib/timing';

/** The shape of a training batch. */
export interface StepShape {
  batch: number; // B rows
  inputLen: number; // L input tokens per row (</s> included)
  targetLen: number; // T target tokens per row (</s> included)
  promptLen: number; // l soft-prompt positions
  tasks: number; // K source tasks (stage 2)
}

export type StepKind = 'prompt-tuning' | 'distillation';

export interface MemorySample {
  step: number;
  numTensors: number;
  numBytes: number;
  numBytesInGPU?: number;
}

export interface StepRun {
  kind: StepKind;
  backend: string;
  shape: StepShape;
  /** ms per step after the warm-up steps. */
  timing: Timing;
  examplesPerSecond: number;
  /** tf.memory() after every step (warm-up included), when asked for. */
  memory?: MemorySample[];
}

export interface StepOptions {
  warmup: number;
  reps: number;
  /** Stop after this much time in timed steps (at least one timed step runs). */
  budgetMs?: number;
  /** Record tf.memory() after each step. */
  recordMemory?: boolean;
}

/** K tasks of `perTask` examples, every one exactly inputLen / targetLen ids long, ending in </s>. */
export function syntheticTasks(vocabSize: number, shape: StepShape, perTask = 16, seed = 1): EncodedExample[][] {
  let s = seed;
  const id = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return 3 + (s % Math.max(1, vocabSize - 103)); // no pad/eos/unk, no sentinels
  };
  const ids = (n: number) => [...Array.from({ length: n - 1 }, id), 1];
  return Array.from({ length: shape.tasks }, (_, task) =>
    Array.from({ length: perTask }, () => ({ inputIds: ids(shape.inputLen), targetIds: ids(shape.targetLen), task })),
  );
}

function settingsFor(model: T5Model, shape: StepShape, steps: number): MethodSettings {
  return {
    ...defaultSettings(model.config),
    promptLength: shape.promptLen,
    batchSize: shape.batch,
    rank: 1,
    sourceSteps: steps,
    distillSteps: steps,
    targetSteps: steps,
    lambda: 1,
    hiddenStates: 'encoder',
    mixing: { kind: 'uniform' },
  };
}

function memorySample(step: number): MemorySample {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return { step, numTensors: m.numTensors, numBytes: m.numBytes, numBytesInGPU: m.numBytesInGPU };
}

/** Runs one stage of warmup + reps steps (fewer if the budget runs out) and times its steps. */
export async function runSteps(model: T5Model, kind: StepKind, shape: StepShape, o: StepOptions): Promise<StepRun> {
  const total = o.warmup + Math.max(1, o.reps);
  const s = settingsFor(model, shape, total);
  const tasks = syntheticTasks(model.config.vocabSize, shape);
  const stepMs: number[] = [];
  const memory: MemorySample[] = [];
  let timedSince = 0;
  const hooks = {
    beforeStep: (step: number) => {
      if (step === o.warmup) timedSince = performance.now();
      return step <= o.warmup || o.budgetMs === undefined || performance.now() - timedSince < o.budgetMs;
    },
    onStep: (r: StepReport) => {
      if (r.step > o.warmup) stepMs.push((shape.batch / r.examplesPerSecond) * 1000);
      if (o.recordMemory) memory.push(memorySample(r.step));
    },
  };
  let trained: TrainedPrompts;
  if (kind === 'prompt-tuning') {
    trained = await trainPrompt(model, tasks[0], s, total, 1, undefined, { hooks });
  } else {
    const teachers = tf.tidy(() => tf.mul(tf.randomNormal([shape.tasks, shape.promptLen, model.config.dModel], 0, 1, 'float32', 5), 0.5)) as tf.Tensor3D;
    trained = await distill(model, tasks, teachers, s, 'mpt', 1, { hooks });
    teachers.dispose();
  }
  trained.prompts.dispose();
  trained.optimizer.dispose();
  const timing = summarize(stepMs);
  return {
    kind,
    backend: tf.getBackend(),
    shape,
    timing,
    examplesPerSecond: (shape.batch / timing.medianMs) * 1000,
    memory: o.recordMemory ? memory : undefined,
  };
}

/**
 * Memory of one step, after one warm-up step. `peakBytes` / `baseBytes`: tfjs's tensor count of
 * bytes at its peak during the step (tf.profile) and before it; it counts every tensor, so
 * reshaped views and the tape's saved copies count again. `backendBytes`: what the backend
 * really holds afterwards: the WASM heap (which only grows, so it is the high-water mark) or
 * the WebGPU buffers tfjs allocated (in use or pooled); none on cpu.
 */
export async function peakBytesOfStep(
  model: T5Model,
  kind: StepKind,
  shape: StepShape,
): Promise<{ peakBytes: number; baseBytes: number; backendBytes?: number }> {
  await runSteps(model, kind, shape, { warmup: 0, reps: 1 });
  const baseBytes = tf.memory().numBytes;
  const info = await tf.profile(() => runSteps(model, kind, shape, { warmup: 0, reps: 1 }).then(() => []));
  return { peakBytes: info.peakBytes, baseBytes, backendBytes: backendBytes() };
}

export function backendBytes(): number | undefined {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  if (tf.getBackend() === 'wasm') return backend.wasm?.HEAPU8.length;
  return (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU;
}
