import * as Comlink from 'comlink';
import type { BackendChoice, BackendPreference } from '../model/backend';
import type { DownloadProgress, ModelSource } from '../model/sources';
import type { ExperimentPlan, ExperimentResult, ProgressEvent } from '../method/experiment';
import type { ClassifyResult, TaskGeneration, TaskPrompt } from './inference-api';
import type { GenerationResult, ModelSummary, ModelWorkerApi } from './model-api';
import type { TrainingEvent, TrainingOutcome, TrainingRequest } from './training';

export type { GenerationResult, ModelSummary } from './model-api';

/** Typed async access to one model worker. Make a new client to get a fresh worker. */
export interface ModelClient {
  init(preference: BackendPreference, onDeviceLost: (message: string) => void): Promise<BackendChoice>;
  load(source: ModelSource, onProgress: (progress: DownloadProgress) => void): Promise<ModelSummary>;
  generate(text: string, maxNewTokens: number): Promise<GenerationResult>;
  train(request: TrainingRequest, onEvent: (event: TrainingEvent) => void): Promise<TrainingOutcome>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(): Promise<void>;
  savedRun: ModelWorkerApi['savedRun'];
  setTaskPrompts(prompts: TaskPrompt[]): Promise<void>;
  classify(text: string, taskId: string): Promise<ClassifyResult>;
  generateForTask(text: string, taskId: string, maxNewTokens: number): Promise<TaskGeneration>;
  countTokens(texts: string[]): Promise<number[]>;
  compare(plan: ExperimentPlan, onProgress: (event: ProgressEvent) => void): Promise<ExperimentResult>;
  /** Stops the worker; calls still pending reject. */
  terminate(): void;
}

/**
 * Starts the model worker. `onDeath` is told when the worker fails on its own (an uncaught
 * error, a script that would not load): its state is then unknown, so the page should restart it.
 */
export function createModelClient(onDeath: (message: string) => void): ModelClient {
  const worker = new Worker(new URL('./model.worker.ts', import.meta.url), { type: 'module' });
  const remote = Comlink.wrap<ModelWorkerApi>(worker);

  // A dead worker never answers, so every call races against this promise.
  let stop!: (reason: Error) => void;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => {}); // Nobody may be waiting on it when it rejects.

  const die = (message: string) => {
    stop(new Error(message));
    onDeath(message);
  };
  worker.addEventListener('error', (event) => {
    event.preventDefault(); // Reported through onDeath instead of as an uncaught page error.
    die(event.message || 'its script could not be loaded');
  });
  worker.addEventListener('messageerror', () => die('it sent a message that could not be read'));

  const call = <T>(pending: Promise<T>): Promise<T> => Promise.race([pending, stopped]);

  return {
    init: (preference, onDeviceLost) => call(remote.init(preference, Comlink.proxy(onDeviceLost))),
    load: (source, onProgress) => call(remote.load(source, Comlink.proxy(onProgress))),
    generate: (text, maxNewTokens) => call(remote.generate(text, maxNewTokens)),
    train: (request, onEvent) => call<TrainingOutcome>(remote.train(request, Comlink.proxy(onEvent))),
    pause: () => call(remote.pause()),
    resume: () => call(remote.resume()),
    cancel: () => call(remote.cancel()),
    savedRun: (runId) => call(remote.savedRun(runId)),
    setTaskPrompts: (prompts) => call(remote.setTaskPrompts(prompts)),
    classify: (text, taskId) => call(remote.classify(text, taskId)),
    generateForTask: (text, taskId, maxNewTokens) => call(remote.generateForTask(text, taskId, maxNewTokens)),
    countTokens: (texts) => call(remote.countTokens(texts)),
    compare: (plan, onProgress) => call(remote.compare(plan, Comlink.proxy(onProgress))),
    terminate() {
      stop(new Error('The model worker was stopped.'));
      worker.terminate();
    },
  };
}
