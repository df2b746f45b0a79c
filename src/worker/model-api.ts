import type { BackendChoice, BackendPreference } from '../model/backend';
import type { T5Config } from '../model/config';
import type { DownloadProgress, ModelSource } from '../model/sources';
import type { SavedRun } from './checkpoint-db';
import type { InferenceWorkerApi } from './inference-api';
import type { TrainingEvent, TrainingOutcome, TrainingRequest } from './training';

/** What the page learns about a loaded model: enough to describe it, nothing that holds tensors. */
export interface ModelSummary {
  config: T5Config;
  parameterCount: number;
  /** Every file read while loading, with its size in bytes. */
  files: { name: string; bytes: number }[];
}

export interface GenerationResult {
  text: string;
  ids: number[];
  /** Time spent in `generate` inside the worker, so messaging does not count. */
  ms: number;
}

/**
 * The methods the model worker exposes through comlink. Callbacks must be wrapped in
 * `Comlink.proxy` by the caller: functions cannot be structured-cloned into a worker.
 * Task prompts, classification, token counts and comparisons: see inference-api.ts.
 */
export interface ModelWorkerApi extends InferenceWorkerApi {
  /** Picks and initialises the tfjs backend; `onDeviceLost` fires if the GPU device goes away later. */
  init(preference: BackendPreference, onDeviceLost: (message: string) => void): Promise<BackendChoice>;
  /** Loads a model; the previous one is kept until the new one has loaded. */
  load(source: ModelSource, onProgress: (progress: DownloadProgress) => void): Promise<ModelSummary>;
  generate(text: string, maxNewTokens: number): Promise<GenerationResult>;

  /** Runs the three MPT stages on the loaded model; resolves when done, cancelled or failed. */
  train(request: TrainingRequest, onEvent: (event: TrainingEvent) => void): Promise<TrainingOutcome>;
  /** Steer the training run or the comparison in progress, between two of its steps. */
  pause(): void;
  resume(): void;
  cancel(): void;
  /** The checkpoint saved for a run, if any (to offer "resume" after a reload). */
  savedRun(runId: string): Promise<Omit<SavedRun, 'checkpoint'> & { phase: SavedRun['checkpoint']['phase'] } | null>;
}
