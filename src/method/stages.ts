import * as tf from '@tensorflow/tfjs';
import type { T5Model } from '../model/t5';
import type { Batch, EncodedExample } from './batches';
import { promptedForward, type PromptedOutput } from './forward';
import { hiddenDistillLoss, logitsDistillLoss, plmLoss } from './losses';
import { GroupedAdam, type AdamState } from './optimizer';
import { initialPrompt } from './prompt-init';
import { DecomposedPrompts, promptsForRows, SeparatePrompts, type PromptSet, type TaskVectors } from './prompts';
import { makeSampler } from './sampler';
import type { MethodSettings } from './settings';
import type { Example } from './task-data';
import { runLoop, type LoopHooks, type LoopSpec, type ObjectiveValue } from './train-loop';
import type { HostTensor } from '../model/weights';

/**
 * The three stages of MPT (Wang et al. 2023) and the baselines, on one code path:
 *   1. a teacher prompt per source task (vanilla prompt tuning),
 *   2. P̂_k = P* ⊙ (u_k v_kᵀ) distilled from the teachers on all source tasks,
 *   3. a target task adapts P* with fresh u, v.
 */

/** Tokenizes examples for training; inputs longer than maxInputTokens are cut (keeping </s>). */
export function encodeExamples(model: T5Model, examples: Example[], task: number, maxInputTokens: number): EncodedExample[] {
  const eos = model.config.eosTokenId;
  return examples.map((e) => {
    const ids = model.tokenizer.encode(e.input);
    const inputIds = ids.length > maxInputTokens ? [...ids.slice(0, maxInputTokens - 1), eos] : ids;
    return { inputIds, targetIds: model.tokenizer.encode(e.target), task };
  });
}

/** Everything needed to continue a stage exactly where it stopped. */
export interface StageState {
  variables: Record<string, HostTensor>;
  optimizer: AdamState;
}

/** How a caller steers a stage: progress hooks, resuming from a checkpoint, saving checkpoints. */
export interface StageControl {
  hooks?: LoopHooks;
  resume?: StageState;
  /** Save every N steps (and at the end of the stage); 0 or unset: never. */
  checkpointEvery?: number;
  onCheckpoint?: (state: StageState) => Promise<void> | void;
  /** Told the stage's trainable prompt set before the first step, e.g. to evaluate or snapshot it mid-stage. */
  onStart?: (prompts: PromptSet) => void;
}

export async function captureStage(prompts: PromptSet, optimizer: GroupedAdam): Promise<StageState> {
  const variables: Record<string, HostTensor> = {};
  for (const [name, variable] of Object.entries(prompts.named)) {
    variables[name] = { shape: variable.shape, data: (await variable.data()) as Float32Array };
  }
  return { variables, optimizer: await optimizer.state() };
}

function restoreStage(prompts: PromptSet, optimizer: GroupedAdam, state: StageState): void {
  for (const [name, variable] of Object.entries(prompts.named)) {
    const saved = state.variables[name];
    if (!saved || saved.data.length !== variable.size) {
      throw new Error(`the checkpoint does not fit this stage: "${name}" is missing or has another shape`);
    }
    tf.tidy(() => variable.assign(tf.tensor(saved.data, variable.shape)));
  }
  optimizer.restore(state.optimizer);
}

/** runLoop with the stage's control: restore first, checkpoint every N steps and at the end. */
async function runStage(spec: Omit<LoopSpec, 'hooks'>, prompts: PromptSet, control: StageControl): Promise<boolean> {
  if (control.resume) restoreStage(prompts, spec.optimizer, control.resume);
  control.onStart?.(prompts);
  const every = control.checkpointEvery ?? 0;
  return runLoop({
    ...spec,
    hooks: {
      beforeStep: control.hooks?.beforeStep,
      onStep: async (report) => {
        await control.hooks?.onStep?.(report);
        if (every > 0 && control.onCheckpoint && (report.step % every === 0 || report.step === report.totalSteps)) {
          await control.onCheckpoint(await captureStage(prompts, spec.optimizer));
        }
      },
    },
  });
}

function optimizerFor(prompts: PromptSet, s: MethodSettings, totalSteps: number): GroupedAdam {
  return new GroupedAdam(
    prompts.variableGroups.map((g) => ({
      name: g.name,
      variables: g.variables,
      learningRate: g.name === 'prompt' ? s.promptLearningRate : s.taskVectorLearningRate,
    })),
    { totalSteps, warmupSteps: Math.min(s.warmupSteps, Math.floor(totalSteps / 2)), clipNorm: s.clipNorm },
  );
}

/** L_PLM alone: stage 1, stage 3 and every baseline. Row i uses prompt promptIndex(task of row i). */
function plmObjective(model: T5Model, prompts: PromptSet, promptIndex: (task: number) => number) {
  return (batch: Batch): ObjectiveValue => {
    const rowPrompts = promptsForRows(prompts.prompts(), batch.taskIndex.map(promptIndex));
    const out = promptedForward(model, batch, rowPrompts);
    const plm = plmLoss(out.logits, batch.targets);
    return { total: plm.mean, parts: { plm: plm.mean }, plmPerRow: plm.perRow };
  };
}

export interface TrainedPrompts {
  prompts: PromptSet;
  optimizer: GroupedAdam;
  completed: boolean; // false when cancelled
}

/** Trains a single-task prompt set with L_PLM. */
async function trainWithPlm(
  model: T5Model,
  prompts: PromptSet,
  examples: EncodedExample[],
  s: MethodSettings,
  steps: number,
  seed: number,
  control: StageControl,
): Promise<TrainedPrompts> {
  const optimizer = optimizerFor(prompts, s, steps);
  const completed = await runStage(
    {
      model,
      optimizer,
      totalSteps: steps,
      sample: makeSampler([examples], s.batchSize, { kind: 'uniform' }, seed),
      objective: plmObjective(model, prompts, () => 0),
    },
    prompts,
    control,
  );
  return { prompts, optimizer, completed };
}

/** Stage 1 (and the prompt-tuning baseline): one vanilla prompt for one task. */
export async function trainPrompt(
  model: T5Model,
  examples: EncodedExample[],
  s: MethodSettings,
  steps: number,
  seed: number,
  init?: tf.Tensor2D,
  control: StageControl = {},
): Promise<TrainedPrompts> {
  const start = init ? init.clone() : initialPrompt(model, s.promptLength, s.promptInit, seed);
  const prompts = new SeparatePrompts(tf.tidy(() => tf.expandDims(start, 0) as tf.Tensor3D));
  start.dispose();
  return trainWithPlm(model, prompts, examples, s, steps, seed, control);
}

export type DistillVariant = 'mpt' | 'no-distillation' | 'no-decomposition';

/**
 * Stage 2: decomposes the K teachers [K, l, d] into P* and u_k, v_k, trained on mixed batches of
 * all source tasks with L = L_PLM + λ (L_Logits + L_Hidden). P* starts as the teachers' mean,
 * so every P̂_k starts there too. `no-distillation` sets λ = 0; `no-decomposition` trains one
 * shared prompt for every task instead of P̂_k.
 */
export async function distill(
  model: T5Model,
  sources: EncodedExample[][],
  teachers: tf.Tensor3D,
  s: MethodSettings,
  variant: DistillVariant,
  seed: number,
  control: StageControl = {},
): Promise<TrainedPrompts & { shared: () => tf.Tensor2D }> {
  const mean = tf.tidy(() => tf.mean(teachers, 0) as tf.Tensor2D);
  const prompts: PromptSet =
    variant === 'no-decomposition'
      ? new SeparatePrompts(tf.tidy(() => tf.expandDims(mean, 0) as tf.Tensor3D))
      : new DecomposedPrompts(mean, sources.length, s.rank);
  mean.dispose();
  const promptIndex = variant === 'no-decomposition' ? () => 0 : (task: number) => task;
  const lambda = variant === 'no-distillation' ? 0 : s.lambda;
  const optimizer = optimizerFor(prompts, s, s.distillSteps);

  let teacher: PromptedOutput | undefined;
  const completed = await runStage({
    model,
    optimizer,
    totalSteps: s.distillSteps,
    sample: makeSampler(sources, s.batchSize, s.mixing, seed),
    prepare: (batch) => {
      if (lambda === 0) return [];
      const rowPrompts = promptsForRows(teachers, batch.taskIndex);
      teacher = promptedForward(model, batch, rowPrompts);
      return [rowPrompts, ...Object.values(teacher)];
    },
    objective: (batch): ObjectiveValue => {
      const student = promptedForward(model, batch, promptsForRows(prompts.prompts(), batch.taskIndex.map(promptIndex)));
      const plm = plmLoss(student.logits, batch.targets);
      if (lambda === 0 || !teacher) return { total: plm.mean, parts: { plm: plm.mean }, plmPerRow: plm.perRow };
      const logits = logitsDistillLoss(student.logits, teacher.logits, batch.targets.mask, s.temperature);
      const hidden =
        s.hiddenStates === 'encoder'
          ? hiddenDistillLoss(student.encoderHidden, teacher.encoderHidden, student.encoderMask)
          : hiddenDistillLoss(student.decoderHidden, teacher.decoderHidden, batch.targets.mask);
      const total = tf.add(plm.mean, tf.mul(lambda, tf.add(logits, hidden))) as tf.Scalar;
      return { total, parts: { plm: plm.mean, logits, hidden }, plmPerRow: plm.perRow };
    },
  }, prompts, control);
  const shared = () =>
    prompts instanceof DecomposedPrompts ? (prompts.shared.clone() as tf.Tensor2D) : (tf.squeeze(prompts.prompts(), [0]) as tf.Tensor2D);
  return { prompts, optimizer, completed, shared };
}

/**
 * Stage 3: a target task starts from P* with u, v as `s.targetStart` says (u vᵀ = 1, or the mean
 * of the sources' u_k [K, l, r] and v_k [K, d, r] from stage 2), and trains P*, u and v.
 */
export async function adaptTarget(
  model: T5Model,
  examples: EncodedExample[],
  shared: tf.Tensor2D,
  s: MethodSettings,
  seed: number,
  control: StageControl = {},
  sources?: { u: tf.Tensor3D; v: tf.Tensor3D },
): Promise<TrainedPrompts> {
  let start: TaskVectors | undefined;
  if (s.targetStart === 'source-average') {
    if (!sources) throw new Error('target start "source-average" needs the source tasks\' u and v from stage 2');
    start = tf.tidy(() => ({ u: tf.mean(sources.u, 0) as tf.Tensor2D, v: tf.mean(sources.v, 0) as tf.Tensor2D }));
  }
  const prompts = new DecomposedPrompts(shared, 1, s.rank, start);
  if (start) tf.dispose([start.u, start.v]);
  return trainWithPlm(model, prompts, examples, s, s.targetSteps, seed, control);
}

/** The prompt a trained set gives task k, as a plain [l, d] tensor for evaluation or export. */
export function promptOf(prompts: PromptSet, task: number): tf.Tensor2D {
  return tf.tidy(() => tf.squeeze(tf.slice(prompts.prompts(), [task, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D);
}
