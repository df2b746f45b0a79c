import type { PipelinePhase } from '../method/pipeline';
import type { TrainingEvent } from '../worker/training';

/**
 * The live training curves as plain data: chart -> series -> points. Each series keeps at most
 * MAX_POINTS points (older halves are thinned as it grows), so charts stay cheap however long a
 * stage runs.
 */

export interface Point {
  step: number;
  value: number;
}

export type ChartId = 'loss-1' | 'eval-1' | 'parts-2' | 'loss-2' | 'eval-2' | 'loss-3' | 'eval-3';
export type Curves = Partial<Record<ChartId, Record<string, Point[]>>>;

export const MAX_POINTS = 200;

/** The stage each chart belongs to. */
export const CHART_STAGE: Record<ChartId, 1 | 2 | 3> = {
  'loss-1': 1,
  'eval-1': 1,
  'parts-2': 2,
  'loss-2': 2,
  'eval-2': 2,
  'loss-3': 3,
  'eval-3': 3,
};

/** Drops every other point of the older part, keeping the first and the newest points. */
export function thin(points: Point[]): Point[] {
  const keepRecent = Math.floor(MAX_POINTS / 2);
  const older = points.slice(0, points.length - keepRecent).filter((_, i) => i % 2 === 0);
  return [...older, ...points.slice(points.length - keepRecent)];
}

/** Adds a batch of events in one go: each touched series is copied once, the rest are shared. */
export function addEvents(curves: Curves, events: TrainingEvent[], sources: string[]): Curves {
  const next: Curves = { ...curves };
  const copied = new Set<string>();
  const add = (chart: ChartId, series: string, point: Point) => {
    if (!copied.has(chart)) {
      next[chart] = { ...next[chart] };
      copied.add(chart);
    }
    const key = `${chart}/${series}`;
    const chartSeries = next[chart]!;
    const points = copied.has(key) ? chartSeries[series] : [...(chartSeries[series] ?? [])];
    copied.add(key);
    points.push(point);
    chartSeries[series] = points.length > MAX_POINTS ? thin(points) : points;
  };

  for (const event of events) {
    if (event.type === 'step') {
      const { step, losses, perTaskLoss } = event.report;
      const stage = event.phase.stage;
      if (stage === 1) add('loss-1', event.task, { step, value: losses.plm });
      if (stage === 3) add('loss-3', event.task, { step, value: losses.plm });
      if (stage === 2) {
        for (const [part, value] of Object.entries(losses)) add('parts-2', part, { step, value });
        for (const [task, value] of Object.entries(perTaskLoss)) add('loss-2', sources[Number(task)], { step, value });
      }
    } else if (event.type === 'eval' && event.phase.stage !== 'done') {
      add(`eval-${event.phase.stage}`, event.task, { step: event.step, value: event.result.score });
    }
  }
  return next;
}

/** Where a phase stands in the run's order: stage 1 source k < stage 2 < stage 3 < done. */
export function phaseOrder(phase: PipelinePhase, numSources: number): number {
  if (phase.stage === 1) return phase.source;
  if (phase.stage === 'done') return numSources + 2;
  return numSources + phase.stage - 2;
}

/**
 * The curves as they were at a checkpoint (phase, step): what was drawn after it is dropped,
 * because a resumed run draws it again.
 */
export function curvesUpTo(curves: Curves, phase: PipelinePhase, step: number, sources: string[]): Curves {
  const at = phaseOrder(phase, sources.length);
  const next: Curves = {};
  for (const [chart, series] of Object.entries(curves) as [ChartId, Record<string, Point[]>][]) {
    const stage = CHART_STAGE[chart];
    const kept: Record<string, Point[]> = {};
    for (const [name, points] of Object.entries(series)) {
      const seriesPhase: PipelinePhase = stage === 1 ? { stage: 1, source: sources.indexOf(name) } : { stage };
      const order = phaseOrder(seriesPhase, sources.length);
      if (order < at) kept[name] = points;
      else if (order === at) kept[name] = points.filter((p) => p.step <= step);
    }
    next[chart] = kept;
  }
  return next;
}

/** Steps done over the whole run, for one progress bar across the three stages. */
export function overallSteps(
  phase: PipelinePhase,
  step: number,
  numSources: number,
  steps: { sourceSteps: number; distillSteps: number; targetSteps: number },
): { done: number; total: number } {
  const total = numSources * steps.sourceSteps + steps.distillSteps + steps.targetSteps;
  if (phase.stage === 'done') return { done: total, total };
  if (phase.stage === 1) return { done: phase.source * steps.sourceSteps + step, total };
  if (phase.stage === 2) return { done: numSources * steps.sourceSteps + step, total };
  return { done: numSources * steps.sourceSteps + steps.distillSteps + step, total };
}
