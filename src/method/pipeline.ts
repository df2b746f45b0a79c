import * as tf from '@tensorflow/tfjs';
import type { T5Model } from '../model/t5';
import type { HostTensor } from '../model/weights';
import { evaluate, type EvalResult } from './evaluate';
import { toDevice, toHost } from './host-tensors';
import { DecomposedPrompts, type PromptSet } from './prompts';
import type { MethodSettings } from './settings';
import { adaptTarget, distill, encodeExamples, promptOf, trainPrompt, type StageControl, type StageState, type TrainedPrompts } from './stages';
import { fewShot, type TaskData } from './task-data';
import type { StepReport } from './train-loop';

/**
 * The playground's guided run: stage 1 on each chosen source, stage 2, stage 3 on one target.
 * It can stop at any step and continue from a PipelineCheckpoint, in this page or after a
 * reload: everything it has learned so far is in the checkpoint as plain arrays.
 */

export interface PipelinePlan {
  sources: TaskData[];
  target: TaskData;
  k: number | 'all';
  seed: number;
  settings: MethodSettings;
  /** Validation examples scored at each evaluation. */
  evalExamples: number;
  /** Source training examples per task (the first N after a seeded shuffle). */
  sourceExamples: number;
  /** Evaluate every N steps of a stage (and at its end). */
  evalEvery: number;
}

export type PipelinePhase =
  | { stage: 1; source: number }
  | { stage: 2 }
  | { stage: 3 }
  | { stage: 'done' };

export interface PipelineCheckpoint {
  version: 1;
  phase: PipelinePhase;
  /** Finished stage-1 prompts [l, d], one per source done so far. */
  teachers: HostTensor[];
  /** After stage 2: P* [l, d] and the sources' U [K, l, r], V [K, d, r]. */
  shared?: HostTensor;
  sourceU?: HostTensor;
  sourceV?: HostTensor;
  /** After stage 3: the target's P* copy, u and v. */
  target?: Record<string, HostTensor>;
  /** The stage in progress, when the checkpoint was taken mid-stage. */
  stageState?: StageState;
}

/**
 * Where a new target starts from a finished run's stages 1 and 2: its teachers, P* and the
 * sources' u_k, v_k, at the start of stage 3 (MPT adapts one P* to any number of targets).
 */
export function stage3Start(checkpoint: PipelineCheckpoint): PipelineCheckpoint {
  const { teachers, shared, sourceU, sourceV } = checkpoint;
  if (!shared || !sourceU || !sourceV) throw new Error('that run has not finished stage 2: there is no P* to adapt yet');
  return { version: 1, phase: { stage: 3 }, teachers, shared, sourceU, sourceV };
}

/** A decomposed prompt set's variables: P* [l, d], U [K, l, r], V [K, d, r] (K = 1 in stage 3). */
export interface PromptSnapshot {
  shared: HostTensor;
  u: HostTensor;
  v: HostTensor;
}

/**
 * What the pipeline reports. The arrays in `teacher` and `snapshot` events are fresh copies that
 * belong to the event, so a receiver may take them over (transfer them to another thread).
 */
export type PipelineEvent =
  | { type: 'step'; phase: PipelinePhase; task: string; report: StepReport }
  | { type: 'eval'; phase: PipelinePhase; task: string; step: number; result: EvalResult }
  | { type: 'checkpoint'; checkpoint: PipelineCheckpoint }
  | { type: 'phase'; phase: PipelinePhase }
  /** A finished stage-1 prompt [l, d]; on resume, every teacher already trained is sent again. */
  | { type: 'teacher'; source: number; task: string; prompt: HostTensor }
  /** Stage 2 (task 'all sources') or stage 3 (the target) every `snapshotEvery` steps, at step 1 and at the end. */
  | { type: 'snapshot'; phase: PipelinePhase; task: string; step: number; prompts: PromptSnapshot };

export interface PipelineControl {
  onEvent: (event: PipelineEvent) => void | Promise<void>;
  /** Awaited before each step: pause by not resolving yet, cancel by resolving false. */
  beforeStep?: () => Promise<boolean> | boolean;
  checkpointEvery: number;
  /** Send a `snapshot` of the decomposed prompts every N steps of stages 2 and 3; 0 or unset: never. */
  snapshotEvery?: number;
  resume?: PipelineCheckpoint;
}

// Some backends (cpu) hand out their own storage from data(): events get a copy they can give away.
const copy = (h: HostTensor): HostTensor => ({ shape: h.shape, data: h.data.slice() });
const hostCopy = async (t: tf.Tensor): Promise<HostTensor> => copy(await toHost(t));

async function snapshotOf(prompts: DecomposedPrompts): Promise<PromptSnapshot> {
  return { shared: await hostCopy(prompts.shared), u: await hostCopy(prompts.u), v: await hostCopy(prompts.v) };
}

/** Runs (or continues) the pipeline. Returns the final checkpoint, or null if cancelled. */
export async function runPipeline(model: T5Model, plan: PipelinePlan, control: PipelineControl): Promise<PipelineCheckpoint | null> {
  const s = plan.settings;
  const ckpt: PipelineCheckpoint = control.resume ?? { version: 1, phase: { stage: 1, source: 0 }, teachers: [] };
  const save = async (stageState?: StageState) => {
    ckpt.stageState = stageState;
    await control.onEvent({ type: 'checkpoint', checkpoint: { ...ckpt } });
  };
  const sourceExamples = plan.sources.map((task, k) =>
    encodeExamples(model, fewShot(task, 'all', plan.seed).slice(0, plan.sourceExamples), k, s.maxInputTokens),
  );

  /** Runs one stage with pause/cancel, checkpoints, snapshots and periodic evaluation of `evalTasks`. */
  const stage = async (
    phase: PipelinePhase,
    taskName: string,
    run: (control: StageControl) => Promise<TrainedPrompts>,
    evalTasks: { task: TaskData; index: number }[],
  ): Promise<TrainedPrompts | null> => {
    await control.onEvent({ type: 'phase', phase });
    let prompts: PromptSet | undefined;
    const evaluateAll = async (step: number) => {
      for (const { task, index } of evalTasks) {
        const prompt = promptOf(prompts!, index);
        const result = await evaluate(model, task, task.validation.slice(0, plan.evalExamples), prompt);
        prompt.dispose();
        await control.onEvent({ type: 'eval', phase, task: task.id, step, result });
      }
    };
    const snapshotEvery = control.snapshotEvery ?? 0;
    const trained = await run({
      resume: ckpt.stageState,
      checkpointEvery: control.checkpointEvery,
      onCheckpoint: save,
      onStart: (p) => (prompts = p),
      hooks: {
        beforeStep: async () => (control.beforeStep ? control.beforeStep() : true),
        onStep: async (report) => {
          await control.onEvent({ type: 'step', phase, task: taskName, report });
          const { step, totalSteps } = report;
          if (prompts instanceof DecomposedPrompts && snapshotEvery > 0 && (step === 1 || step % snapshotEvery === 0 || step === totalSteps)) {
            await control.onEvent({ type: 'snapshot', phase, task: taskName, step, prompts: await snapshotOf(prompts) });
          }
          if (step % plan.evalEvery === 0 && step < totalSteps) await evaluateAll(step);
        },
      },
    });
    if (!trained.completed) {
      trained.prompts.dispose();
      trained.optimizer.dispose();
      return null;
    }
    await evaluateAll(trained.optimizer.step);
    return trained;
  };

  // A resumed run first repeats what the page may have missed: the teachers and the stage-2 result.
  for (const [k, prompt] of ckpt.teachers.entries()) {
    await control.onEvent({ type: 'teacher', source: k, task: plan.sources[k].id, prompt: copy(prompt) });
  }
  if (ckpt.shared && ckpt.sourceU && ckpt.sourceV) {
    const prompts = { shared: copy(ckpt.shared), u: copy(ckpt.sourceU), v: copy(ckpt.sourceV) };
    await control.onEvent({ type: 'snapshot', phase: { stage: 2 }, task: 'all sources', step: s.distillSteps, prompts });
  }

  // Stage 1: a teacher per source.
  while (ckpt.phase.stage === 1) {
    const k = ckpt.phase.source;
    const task = plan.sources[k];
    const trained = await stage(ckpt.phase, task.id, (c) => trainPrompt(model, sourceExamples[k], s, s.sourceSteps, plan.seed, undefined, c), [
      { task, index: 0 },
    ]);
    if (!trained) return null;
    const prompt = promptOf(trained.prompts, 0);
    ckpt.teachers.push(await toHost(prompt));
    await control.onEvent({ type: 'teacher', source: k, task: task.id, prompt: await hostCopy(prompt) });
    tf.dispose(prompt);
    trained.prompts.dispose();
    trained.optimizer.dispose();
    ckpt.phase = k + 1 < plan.sources.length ? { stage: 1, source: k + 1 } : { stage: 2 };
    await save();
  }

  // Stage 2: distil the teachers into P* and u_k, v_k.
  if (ckpt.phase.stage === 2) {
    const teachers = tf.stack(ckpt.teachers.map((h) => toDevice(h))) as tf.Tensor3D;
    const trained = await stage(
      ckpt.phase,
      'all sources',
      (c) => distill(model, sourceExamples, teachers, s, 'mpt', plan.seed, c),
      plan.sources.map((task, index) => ({ task, index })),
    );
    teachers.dispose();
    if (!trained) return null;
    const decomposed = trained.prompts as DecomposedPrompts;
    ckpt.shared = await toHost(decomposed.shared);
    ckpt.sourceU = await toHost(decomposed.u);
    ckpt.sourceV = await toHost(decomposed.v);
    trained.prompts.dispose();
    trained.optimizer.dispose();
    ckpt.phase = { stage: 3 };
    await save();
  }

  // Stage 3: adapt P* to the target from k examples.
  if (ckpt.phase.stage === 3) {
    const shared = toDevice<tf.Tensor2D>(ckpt.shared!);
    const sources = { u: toDevice<tf.Tensor3D>(ckpt.sourceU!), v: toDevice<tf.Tensor3D>(ckpt.sourceV!) };
    const examples = encodeExamples(model, fewShot(plan.target, plan.k, plan.seed), 0, s.maxInputTokens);
    const trained = await stage(ckpt.phase, plan.target.id, (c) => adaptTarget(model, examples, shared, s, plan.seed, c, sources), [
      { task: plan.target, index: 0 },
    ]);
    tf.dispose([shared, sources.u, sources.v]);
    if (!trained) return null;
    ckpt.target = {};
    for (const [name, variable] of Object.entries(trained.prompts.named)) ckpt.target[name] = await toHost(variable);
    trained.prompts.dispose();
    trained.optimizer.dispose();
    ckpt.phase = { stage: 'done' };
    await save();
  }
  await control.onEvent({ type: 'phase', phase: ckpt.phase });
  return ckpt;
}
