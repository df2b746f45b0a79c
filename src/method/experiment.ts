import * as tf from '@tensorflow/tfjs';
import type { T5Model } from '../model/t5';
import type { HostTensor } from '../model/weights';
import { evaluate, type EvalResult } from './evaluate';
import { toDevice, toHost } from './host-tensors';
import { DecomposedPrompts } from './prompts';
import type { MethodSettings } from './settings';
import { adaptTarget, distill, encodeExamples, promptOf, trainPrompt, type DistillVariant, type StageControl, type TrainedPrompts } from './stages';
import { fewShot, type TaskData } from './task-data';
import type { LoopHooks, StepReport } from './train-loop';

/**
 * The paper's comparison on one code path: train the source teachers once, distil them (MPT and
 * its two ablations), then adapt every target with every method at every k and seed, and score
 * each on the target's test split.
 */

export type TargetMethod = 'mpt' | 'prompt-tuning' | 'spot-best' | 'spot-average' | 'mpt-no-decomposition' | 'mpt-no-distillation';
export const TARGET_METHODS: TargetMethod[] = ['mpt', 'prompt-tuning', 'spot-best', 'spot-average', 'mpt-no-decomposition', 'mpt-no-distillation'];

const VARIANT_OF: Partial<Record<TargetMethod, DistillVariant>> = {
  mpt: 'mpt',
  'mpt-no-decomposition': 'no-decomposition',
  'mpt-no-distillation': 'no-distillation',
};

export interface ExperimentPlan {
  sources: TaskData[];
  targets: TaskData[];
  ks: (number | 'all')[];
  seeds: number[];
  methods: TargetMethod[];
  settings: MethodSettings;
  /** Test (and validation) examples scored per evaluation: the first N of the split. */
  evalExamples: number;
  /** Source training examples used per task in stages 1 and 2 (the first N after a seeded shuffle). */
  sourceExamples: number;
  /**
   * Stage 1 and 2 results of an earlier run (its vectors, by the names this function writes):
   * teachers and shared prompts found here are used instead of trained again, so several runner
   * processes can share one stage 1 + 2 and split the targets between them.
   */
  reuse?: Record<string, HostTensor>;
}

export interface RunRow {
  target: string;
  method: TargetMethod;
  k: number | 'all';
  seed: number;
  metric: EvalResult['metric'];
  score: number;
  macroF1?: number;
  crossEntropy?: number;
  seconds: number;
}

/** What a run keeps: scores and the learned vectors, as plain arrays. */
export interface ExperimentResult {
  teachers: { task: string; validation: EvalResult }[];
  rows: RunRow[];
  vectors: Record<string, { shape: number[]; data: Float32Array }>;
  /** Set when `beforeStep` stopped the run: `rows` and `vectors` hold what had finished. */
  stopped?: true;
}

export type ProgressEvent = { phase: string; report: StepReport } | { phase: string; message: string };

/** Unwinds runExperiment from a stage that was stopped. */
class Stopped extends Error {}

/** The stage's result when it ran to the end; else frees it and stops the run. */
function completed<T extends TrainedPrompts>(trained: T): T {
  if (trained.completed) return trained;
  trained.prompts.dispose();
  trained.optimizer.dispose();
  throw new Stopped();
}

export async function runExperiment(
  model: T5Model,
  plan: ExperimentPlan,
  onProgress: (e: ProgressEvent) => void = () => undefined,
  /** Awaited before each training step: false stops the run (see ExperimentResult.stopped). */
  beforeStep?: LoopHooks['beforeStep'],
): Promise<ExperimentResult> {
  const s = plan.settings;
  const result: ExperimentResult = { teachers: [], rows: [], vectors: {} };
  const hooksFor = (phase: string): StageControl => ({ hooks: { onStep: (report) => onProgress({ phase, report }), beforeStep } });
  const firstSeed = plan.seeds[0];
  const evalSet = (examples: TaskData['test']) => examples.slice(0, plan.evalExamples);
  // MPT without decomposition has no u_k, v_k to average: its target always starts at P*.
  const variantSettings = (variant: DistillVariant): MethodSettings => (variant === 'no-decomposition' ? { ...s, targetStart: 'ones' } : s);
  // Freed at the end, however the run ends.
  const teacherList: tf.Tensor2D[] = [];
  const sharedPrompts = new Map<DistillVariant, tf.Tensor2D>();
  // The sources' u_k [K, l, r] and v_k [K, d, r] of the decomposed variants (for targetStart).
  const sourceVectors = new Map<DistillVariant, { u: tf.Tensor3D; v: tf.Tensor3D }>();
  let teachers: tf.Tensor3D | undefined;
  let averageTeacher: tf.Tensor2D | undefined;
  try {
    // Stage 1: one teacher per source task.
    const sourceExamples = plan.sources.map((task, k) =>
      encodeExamples(model, fewShot(task, 'all', firstSeed).slice(0, plan.sourceExamples), k, s.maxInputTokens),
    );
    for (const [k, task] of plan.sources.entries()) {
      const reused = plan.reuse?.[`teacher.${task.id}`];
      let prompt: tf.Tensor2D;
      if (reused) {
        prompt = toDevice<tf.Tensor2D>(reused);
      } else {
        const trained = completed(await trainPrompt(model, sourceExamples[k], s, s.sourceSteps, firstSeed, undefined, hooksFor(`stage 1: ${task.id}`)));
        prompt = promptOf(trained.prompts, 0);
        trained.prompts.dispose();
        trained.optimizer.dispose();
      }
      const validation = await evaluate(model, task, evalSet(task.validation), prompt);
      onProgress({ phase: `stage 1: ${task.id}`, message: `validation ${validation.metric} ${validation.score.toFixed(3)}` });
      result.teachers.push({ task: task.id, validation });
      result.vectors[`teacher.${task.id}`] = await toHost(prompt);
      teacherList.push(prompt);
    }
    teachers = tf.stack(teacherList) as tf.Tensor3D;

    // Stage 2: the distilled shared prompt of each variant the methods need.
    for (const method of plan.methods) {
      const variant = VARIANT_OF[method];
      if (!variant || sharedPrompts.has(variant)) continue;
      const reused = plan.reuse?.[`${variant}.shared_prompt`];
      if (reused) {
        sharedPrompts.set(variant, toDevice<tf.Tensor2D>(reused));
        result.vectors[`${variant}.shared_prompt`] = reused;
        const [u, v] = [plan.reuse?.[`${variant}.source_u`], plan.reuse?.[`${variant}.source_v`]];
        if (u && v) {
          sourceVectors.set(variant, { u: toDevice<tf.Tensor3D>(u), v: toDevice<tf.Tensor3D>(v) });
          result.vectors[`${variant}.source_u`] = u;
          result.vectors[`${variant}.source_v`] = v;
        }
        continue;
      }
      const trained = completed(await distill(model, sourceExamples, teachers, s, variant, firstSeed, hooksFor(`stage 2: ${variant}`)));
      const shared = trained.shared();
      sharedPrompts.set(variant, shared);
      result.vectors[`${variant}.shared_prompt`] = await toHost(shared);
      if (trained.prompts instanceof DecomposedPrompts) {
        result.vectors[`${variant}.source_u`] = await toHost(trained.prompts.u);
        result.vectors[`${variant}.source_v`] = await toHost(trained.prompts.v);
        sourceVectors.set(variant, { u: trained.prompts.u.clone(), v: trained.prompts.v.clone() });
      }
      trained.prompts.dispose();
      trained.optimizer.dispose();
    }

    // Stage 3 and the baselines, on every target, k and seed.
    averageTeacher = tf.mean(teachers, 0) as tf.Tensor2D;
    for (const target of plan.targets) {
      let bestTeacher: tf.Tensor2D | undefined;
      if (plan.methods.includes('spot-best')) {
        // SPoT's "best source": the teacher that scores highest on the target's validation set as it is.
        const scores: number[] = [];
        for (const teacher of teacherList) scores.push((await evaluate(model, target, evalSet(target.validation), teacher)).score);
        bestTeacher = teacherList[scores.indexOf(Math.max(...scores))];
        onProgress({ phase: `spot: ${target.id}`, message: `best source ${plan.sources[scores.indexOf(Math.max(...scores))].id}` });
      }
      for (const k of plan.ks) {
        for (const seed of plan.seeds) {
          const examples = encodeExamples(model, fewShot(target, k, seed), 0, s.maxInputTokens);
          for (const method of plan.methods) {
            const started = performance.now();
            const phase = `stage 3: ${target.id} k=${k} seed=${seed} ${method}`;
            const variant = VARIANT_OF[method];
            const trained = completed(
              variant
                ? await adaptTarget(model, examples, sharedPrompts.get(variant)!, variantSettings(variant), seed, hooksFor(phase), sourceVectors.get(variant))
                : await trainPrompt(
                    model,
                    examples,
                    s,
                    s.targetSteps,
                    seed,
                    method === 'spot-best' ? bestTeacher : method === 'spot-average' ? averageTeacher : undefined,
                    hooksFor(phase),
                  ),
            );
            const prompt = promptOf(trained.prompts, 0);
            const scored = await evaluate(model, target, evalSet(target.test), prompt);
            if (method === 'mpt') {
              const stem = `target.${target.id}.k${k}.seed${seed}`;
              result.vectors[`${stem}.prompt`] = await toHost(prompt);
              // P* (stage 3 trains its own copy), u [1, l, r] and v [1, d, r], for export.
              for (const [name, variable] of Object.entries(trained.prompts.named)) result.vectors[`${stem}.${name}`] = await toHost(variable);
            }
            tf.dispose(prompt);
            trained.prompts.dispose();
            trained.optimizer.dispose();
            const row: RunRow = {
              target: target.id,
              method,
              k,
              seed,
              metric: scored.metric,
              score: scored.score,
              macroF1: scored.macroF1,
              crossEntropy: scored.crossEntropy,
              seconds: (performance.now() - started) / 1000,
            };
            result.rows.push(row);
            onProgress({ phase, message: `${scored.metric} ${scored.score.toFixed(3)}` });
          }
        }
      }
    }
  } catch (e) {
    if (!(e instanceof Stopped)) throw e;
    result.stopped = true;
  } finally {
    tf.dispose([teachers, averageTeacher, ...teacherList, ...sharedPrompts.values(), ...[...sourceVectors.values()].flatMap((t) => [t.u, t.v])]);
  }
  return result;
}

/**
 * Mean and sample standard deviation of the score per (target, method, k), and the mean test
 * cross-entropy over the verbalizers (classification).
 */
export function summarize(
  rows: RunRow[],
): { target: string; method: TargetMethod; k: number | 'all'; mean: number; std: number; crossEntropy?: number; n: number }[] {
  const groups = new Map<string, RunRow[]>();
  for (const r of rows) {
    const key = `${r.target}\u0000${r.method}\u0000${r.k}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const mean = g.reduce((a, r) => a + r.score, 0) / g.length;
    const variance = g.length > 1 ? g.reduce((a, r) => a + (r.score - mean) ** 2, 0) / (g.length - 1) : 0;
    const crossEntropy = g.every((r) => r.crossEntropy !== undefined) ? g.reduce((a, r) => a + r.crossEntropy!, 0) / g.length : undefined;
    return { target: g[0].target, method: g[0].method, k: g[0].k, mean, std: Math.sqrt(variance), crossEntropy, n: g.length };
  });
}
