/**
 * Step time against one size at a time (tasks K, prompt length l, batch B, input length L),
 * the others held at a base shape: stage-2 steps (the one stage where K matters). With K, the
 * composition alone (forward + backward) and its dispatch count: one op for all K tasks.
 */
import type { T5Model } from '../../src/model/t5';
import { kernelSuite } from './kernels';
import { runSteps, type StepOptions, type StepShape } from './step';

export type ScalingDim = 'tasks' | 'promptLen' | 'batch' | 'inputLen';

export interface ScalingPoint {
  dim: ScalingDim;
  value: number;
  backend: string;
  shape: StepShape;
  stepMs: number;
  examplesPerSecond: number;
  /** K only: the composition P* ⊙ (U Vᵀ) forward + backward, ms, and its dispatches/kernels. */
  composeMs?: number;
  composeDispatches?: number;
}

export type ScalingGrid = Partial<Record<ScalingDim, number[]>>;

export async function scalingSuite(model: T5Model, base: StepShape, grid: ScalingGrid, o: StepOptions): Promise<ScalingPoint[]> {
  const points: ScalingPoint[] = [];
  for (const dim of Object.keys(grid) as ScalingDim[]) {
    for (const value of grid[dim]!) {
      const shape = { ...base, [dim]: value };
      const run = await runSteps(model, 'distillation', shape, o);
      const point: ScalingPoint = {
        dim,
        value,
        backend: run.backend,
        shape,
        stepMs: run.timing.medianMs,
        examplesPerSecond: run.examplesPerSecond,
      };
      if (dim === 'tasks') {
        const [row] = await kernelSuite({
          cases: [{ K: value, l: shape.promptLen, d: model.config.dModel, r: 1 }],
          warmup: 2,
          reps: Math.max(3, o.reps),
          callsPerSample: 5,
        });
        point.composeMs = row.fused.medianMs;
        point.composeDispatches = row.fusedDispatches;
      }
      points.push(point);
    }
  }
  return points;
}
