import * as Comlink from 'comlink';
import type { T5Model } from '../model/t5';
import { runPipeline, stage3Start, type PipelineCheckpoint, type PipelineEvent, type PipelinePhase, type PipelinePlan } from '../method/pipeline';
import { NonFiniteLossError } from '../method/train-loop';
import { loadRun, saveRun } from './checkpoint-db';
import type { StepGate } from './step-gate';

/**
 * Training inside the worker: runs the pipeline, saves its checkpoints to IndexedDB, and obeys
 * pause / resume / cancel through the worker's StepGate.
 */

export interface TrainingRequest {
  runId: string;
  plan: PipelinePlan;
  checkpointEvery: number;
  /** Send the decomposed prompts (P*, U, V) every N steps of stages 2 and 3; 0 or unset: never. */
  snapshotEvery?: number;
  /** Continue from this run's saved checkpoint, if there is one. */
  resume: boolean;
  /** Take stages 1 and 2 from this earlier run's checkpoint and train stage 3 only (until this run has one of its own). */
  reuseStagesOf?: string;
}

/**
 * What reaches the page: pipeline events, with checkpoints reduced to "saved at step n". The
 * arrays of `teacher` and `snapshot` events are transferred, not copied.
 */
export type TrainingEvent =
  | Exclude<PipelineEvent, { type: 'checkpoint' }>
  | { type: 'saved'; phase: PipelinePhase; step: number };

export type TrainingOutcome =
  | { status: 'done' }
  | { status: 'cancelled' }
  | { status: 'failed'; message: string; savedStep: number | null };

function buffersOf(event: TrainingEvent): ArrayBuffer[] {
  if (event.type === 'teacher') return [event.prompt.data.buffer as ArrayBuffer];
  if (event.type === 'snapshot') return [event.prompts.shared, event.prompts.u, event.prompts.v].map((h) => h.data.buffer as ArrayBuffer);
  return [];
}

/** Another run's finished stages 1 and 2, as the start of stage 3. */
async function reusedStages(runId: string): Promise<PipelineCheckpoint> {
  const saved = await loadRun(runId);
  if (!saved) throw new Error('the run whose P* this run adapts is no longer saved in this browser');
  return stage3Start(saved.checkpoint);
}

export class TrainingController {
  private running = false;

  constructor(private readonly gate: StepGate) {}

  async train(model: T5Model, request: TrainingRequest, onEvent: (e: TrainingEvent) => void): Promise<TrainingOutcome> {
    if (this.running) throw new Error('Training is already running in this worker.');
    this.running = true;
    this.gate.open();
    const saved = request.resume ? await loadRun(request.runId) : undefined;
    let savedStep: number | null = saved?.step ?? null;
    try {
      const result = await runPipeline(model, request.plan, {
        checkpointEvery: request.checkpointEvery,
        snapshotEvery: request.snapshotEvery,
        resume: saved?.checkpoint ?? (request.reuseStagesOf ? await reusedStages(request.reuseStagesOf) : undefined),
        beforeStep: this.gate.beforeStep,
        onEvent: async (event) => {
          if (event.type !== 'checkpoint') return onEvent(Comlink.transfer(event, buffersOf(event)));
          await saveRun(request.runId, event.checkpoint);
          savedStep = event.checkpoint.stageState?.optimizer.step ?? 0;
          onEvent({ type: 'saved', phase: event.checkpoint.phase, step: savedStep });
        },
      });
      return result ? { status: 'done' } : { status: 'cancelled' };
    } catch (e) {
      // A NaN/Inf loss stops the stage; the last good checkpoint stays in IndexedDB.
      if (e instanceof NonFiniteLossError) return { status: 'failed', message: e.message, savedStep };
      throw e;
    } finally {
      this.running = false;
    }
  }
}
