import * as tf from '@tensorflow/tfjs';
import type { T5Model } from '../model/t5';
import { disposeBatch, makeBatch, type Batch, type EncodedExample } from './batches';
import type { GroupedAdam } from './optimizer';

/**
 * The loop every stage shares: sample a batch, compute the stage's loss under the gradient
 * tape, take one optimizer step, report. Stages differ only in their objective.
 */

/** The scalars a stage's objective returns; `total` is minimised, the rest are reported. */
export interface ObjectiveValue {
  total: tf.Scalar;
  parts: Record<string, tf.Scalar>; // e.g. plm, logits, hidden
  plmPerRow: tf.Tensor1D; // [B], for per-task curves
}

export interface StepReport {
  step: number; // steps done, 1-based
  totalSteps: number;
  losses: Record<string, number>; // total and each part
  perTaskLoss: Record<number, number>; // task index -> mean L_PLM of its rows in this batch
  gradNorm: number;
  examplesPerSecond: number;
}

export interface LoopHooks {
  onStep?: (report: StepReport) => void | Promise<void>;
  /** Awaited between steps: pausing is awaiting here; returning false cancels the stage. */
  beforeStep?: (step: number) => Promise<boolean> | boolean;
}

export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly losses: Record<string, number>,
  ) {
    super(
      `the loss became ${Object.entries(losses)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')} at step ${step}; training stopped and the last good state was kept (try a lower learning rate)`,
    );
    this.name = 'NonFiniteLossError';
  }
}

export interface LoopSpec {
  model: T5Model;
  optimizer: GroupedAdam;
  totalSteps: number;
  /** Rows of step s (0-based). */
  sample: (step: number) => EncodedExample[];
  /** The objective, built from the current variables; runs inside tf.variableGrads. */
  objective: (batch: Batch) => ObjectiveValue;
  /** Run before the tape: e.g. the teachers' outputs, which need no gradient. Freed after the step. */
  prepare?: (batch: Batch) => tf.Tensor[];
  hooks?: LoopHooks;
}

/** Runs from the optimizer's current step to totalSteps. Returns false if cancelled. */
export async function runLoop(spec: LoopSpec): Promise<boolean> {
  const { model, optimizer, totalSteps, hooks = {} } = spec;
  while (optimizer.step < totalSteps) {
    if (hooks.beforeStep && !(await hooks.beforeStep(optimizer.step))) return false;
    const started = performance.now();
    const rows = spec.sample(optimizer.step);
    const batch = makeBatch(rows, model.config);
    const prepared = spec.prepare?.(batch) ?? [];
    let kept: ObjectiveValue | undefined;
    try {
      const { loss, gradNorm } = await optimizer.minimize(() => {
        const value = spec.objective(batch);
        // Copies of the reported parts outlive the tape's tidy (a part may be `total` itself,
        // which minimize frees); freed below.
        kept = {
          total: value.total,
          parts: Object.fromEntries(Object.entries(value.parts).map(([k, v]) => [k, tf.keep(tf.clone(v))])),
          plmPerRow: tf.keep(tf.clone(value.plmPerRow)),
        };
        return value.total;
      });
      const losses: Record<string, number> = { total: loss };
      for (const [name, scalar] of Object.entries(kept!.parts)) losses[name] = (await scalar.data())[0];
      if (!Object.values(losses).every(Number.isFinite) || !Number.isFinite(gradNorm)) {
        throw new NonFiniteLossError(optimizer.step + 1, { ...losses, gradNorm });
      }
      const perRow = await kept!.plmPerRow.data();
      const sums = new Map<number, { sum: number; n: number }>();
      batch.taskIndex.forEach((task, i) => {
        const s = sums.get(task) ?? { sum: 0, n: 0 };
        sums.set(task, { sum: s.sum + perRow[i], n: s.n + 1 });
      });
      const perTaskLoss = Object.fromEntries([...sums].map(([task, s]) => [task, s.sum / s.n]));
      await hooks.onStep?.({
        step: optimizer.step,
        totalSteps,
        losses,
        perTaskLoss,
        gradNorm,
        examplesPerSecond: rows.length / ((performance.now() - started) / 1000),
      });
    } finally {
      if (kept) tf.dispose([...Object.values(kept.parts), kept.plmPerRow]);
      tf.dispose(prepared);
      disposeBatch(batch);
    }
  }
  return true;
}
