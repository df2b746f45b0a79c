import type { PipelinePhase, PromptSnapshot } from '../method/pipeline';
import type { HostTensor } from '../model/weights';
import type { TrainingEvent } from '../worker/training';
import { addEvents, type Curves } from './curves';

/** What the training events build up in the page: curves, progress, the learned prompts. */

export interface Progress {
  phase: PipelinePhase;
  task: string;
  step: number;
  totalSteps: number;
  /** Smoothed, from the worker's own timing of each step. */
  examplesPerSecond: number;
  /** Smoothed wall-clock seconds per step, evaluations and messaging included (for the time left). */
  secondsPerStep: number | null;
  /** When the last step arrived (performance.now()); null after a pause. */
  lastStepAt: number | null;
}

export interface PromptsAtStep {
  step: number;
  prompts: PromptSnapshot;
}

export interface LiveResults {
  progress: Progress | null;
  curves: Curves;
  /** Stage-1 prompts [l, d] by source task id. */
  teachers: Record<string, HostTensor>;
  /** Stage 2: P*, U [K, l, r], V [K, d, r] over the sources. */
  sourcePrompts: PromptsAtStep | null;
  /** Stage 3: the target's P* copy, u [1, l, r], v [1, d, r]. */
  targetPrompts: PromptsAtStep | null;
  phase: PipelinePhase | null;
  saved: { phase: PipelinePhase; step: number } | null;
}

export const EMPTY_RESULTS: LiveResults = {
  progress: null,
  curves: {},
  teachers: {},
  sourcePrompts: null,
  targetPrompts: null,
  phase: null,
  saved: null,
};

const SMOOTHING = 0.3;
const smooth = (previous: number | null, value: number) => (previous === null ? value : previous + SMOOTHING * (value - previous));

export interface Arrival {
  event: TrainingEvent;
  /** performance.now() when the page received it. */
  at: number;
}

/** Applies a batch of events to the results; `sources` names stage 2's task indices. */
export function applyEvents(results: LiveResults, arrivals: Arrival[], sources: string[]): LiveResults {
  const next: LiveResults = { ...results, curves: addEvents(results.curves, arrivals.map((a) => a.event), sources) };
  for (const { event, at } of arrivals) {
    switch (event.type) {
      case 'phase':
        next.phase = event.phase;
        break;
      case 'saved':
        next.saved = { phase: event.phase, step: event.step };
        break;
      case 'teacher':
        next.teachers = { ...next.teachers, [event.task]: event.prompt };
        break;
      case 'snapshot':
        if (event.phase.stage === 2) next.sourcePrompts = { step: event.step, prompts: event.prompts };
        if (event.phase.stage === 3) next.targetPrompts = { step: event.step, prompts: event.prompts };
        break;
      case 'step': {
        const previous = next.progress;
        const sameStage = previous !== null && previous.task === event.task && previous.phase.stage === event.phase.stage;
        const elapsed = sameStage && previous.lastStepAt !== null ? (at - previous.lastStepAt) / 1000 : null;
        next.progress = {
          phase: event.phase,
          task: event.task,
          step: event.report.step,
          totalSteps: event.report.totalSteps,
          examplesPerSecond: smooth(previous?.examplesPerSecond ?? null, event.report.examplesPerSecond),
          secondsPerStep: elapsed === null ? (previous?.secondsPerStep ?? null) : smooth(previous?.secondsPerStep ?? null, elapsed),
          lastStepAt: at,
        };
        break;
      }
      case 'eval':
        break;
    }
  }
  return next;
}
