import * as tf from '@tensorflow/tfjs';
import type { T5Model } from '../model/t5';
import type { HostTensor } from '../model/weights';
import { evaluate, type EvalResult } from './evaluate';
import { DecomposedPrompts } from './prompts';
import type { MethodSettings } from './settings';
import { adaptTarget, distill, encodeExamples, promptOf, trainPrompt, type StageState, type TrainedPrompts } from './stages';
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

export type PipelineEvent =
  | { type: 'step'; phase: PipelinePhase; task: string; report: StepReport }
  | { type: 'eval'; phase: PipelinePhase; task: string; step: number; result: EvalResult }
  | { type: 'checkpoint'; checkpoint: PipelineCheckpoint }
  | { type: 'phase'; phase: PipelinePhase };

export interface PipelineControl {
  onEvent: (event: PipelineEvent) => void | Promise<void>;
  /** Awaited before each step: pause by not resolving yet, cancel by resolving false. */
  beforeStep?: () => Promise<boolean> | boolean;
  checkpointEvery: number;
  resume?: PipelineCheckpoint;
}

const host = async (t: tf.Tensor): Promise<HostTensor> => ({ shape: t.shape, data: (await t.data()) as Float32Array });
const device = (h: HostTensor) => tf.tensor(h.data, h.shape);

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

  /** Runs one stage with pause/cancel, checkpoints and periodic evaluation of `task` prompt `evalTask`. */
  const stage = async (
    phase: PipelinePhase,
    taskName: string,
    run: (control: Parameters<typeof trainPrompt>[6]) => Promise<TrainedPrompts>,
    evalTasks: { task: TaskData; index: number }[],
  ): Promise<TrainedPrompts | null> => {
    await control.onEvent({ type: 'phase', phase });
    const resume = ckpt.stageState;
    let prompts: TrainedPrompts['prompts'] | undefined;
    const evaluateAll = async (step: number) => {
      if (!prompts) return;
      for (const { task, index } of evalTasks) {
        const prompt = promptOf(prompts, index);
        const result = await evaluate(model, task, task.validation.slice(0, plan.evalExamples), prompt);
        prompt.dispose();
        await control.onEvent({ type: 'eval', phase, task: task.id, step, result });
      }
    };
    const trained = await run({
      resume,
      checkpointEvery: control.checkpointEvery,
      onCheckpoint: save,
      hooks: {
        beforeStep: async () => (control.beforeStep ? control.beforeStep() : true),
        onStep: async (report) => {
          await control.onEvent({ type: 'step', phase, task: taskName, report });
          if (report.step % plan.evalEvery === 0 && report.step < report.totalSteps) await evaluateAll(report.step);
        },
      },
    }).then(async (t) => {
      prompts = t.prompts;
      if (t.completed) await evaluateAll(t.optimizer.step);
      return t;
    });
    // Evaluation inside onStep needs the prompt set before the stage returns.
    prompts = trained.prompts;
    if (!trained.completed) {
      trained.prompts.dispose();
      trained.optimizer.dispose();
      return null;
    }
    return trained;
  };

  // Stage 1: a teacher per source.
  while (ckpt.phase.stage === 1) {
    const k = ckpt.phase.source;
    const task = plan.sources[k];
    const trained = await stage(ckpt.phase, task.id, (c) => trainPrompt(model, sourceExamples[k], s, s.sourceSteps, plan.seed, undefined, c), [
      { task, index: 0 },
    ]);
    if (!trained) return null;
    const prompt = promptOf(trained.prompts, 0);
    ckpt.teachers.push(await host(prompt));
    tf.dispose(prompt);
    trained.prompts.dispose();
    trained.optimizer.dispose();
    ckpt.phase = k + 1 < plan.sources.length ? { stage: 1, source: k + 1 } : { stage: 2 };
    await save();
  }

  // Stage 2: distil the teachers into P* and u_k, v_k.
  if (ckpt.phase.stage === 2) {
    const teachers = tf.stack(ckpt.teachers.map(device)) as tf.Tensor3D;
    const trained = await stage(
      ckpt.phase,
      'all sources',
      (c) => distill(model, sourceExamples, teachers, s, 'mpt', plan.seed, c),
      plan.sources.map((task, index) => ({ task, index })),
    );
    teachers.dispose();
    if (!trained) return null;
    const decomposed = trained.prompts as DecomposedPrompts;
    ckpt.shared = await host(decomposed.shared);
    ckpt.sourceU = await host(decomposed.u);
    ckpt.sourceV = await host(decomposed.v);
    trained.prompts.dispose();
    trained.optimizer.dispose();
    ckpt.phase = { stage: 3 };
    await save();
  }

  // Stage 3: adapt P* to the target from k examples.
  if (ckpt.phase.stage === 3) {
    const shared = device(ckpt.shared!) as tf.Tensor2D;
    const examples = encodeExamples(model, fewShot(plan.target, plan.k, plan.seed), 0, s.maxInputTokens);
    const trained = await stage(ckpt.phase, plan.target.id, (c) => adaptTarget(model, examples, shared, s, plan.seed, c), [
      { task: plan.target, index: 0 },
    ]);
    shared.dispose();
    if (!trained) return null;
    ckpt.target = {};
    for (const [name, variable] of Object.entries(trained.prompts.named)) ckpt.target[name] = await host(variable);
    trained.prompts.dispose();
    trained.optimizer.dispose();
    ckpt.phase = { stage: 'done' };
    await save();
  }
  await control.onEvent({ type: 'phase', phase: ckpt.phase });
  return ckpt;
}
