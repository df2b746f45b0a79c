import { useMemo } from 'react';
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import type { PipelinePhase, PipelinePlan } from '../method/pipeline';
import { defaultSettings, type MethodSettings } from '../method/settings';
import type { TaskData } from '../method/task-data';
import type { T5Config } from '../model/config';
import type { TrainingOutcome } from '../worker/training';
import { curvesUpTo, overallSteps } from './curves';
import { INPUT_LIMIT_WITHOUT_MODEL, useDataStore } from './data-store';
import { flushPendingWrites, indexedDbStorage } from './idb-storage';
import { modelClient, useModelStore } from './model-store';
import { DEFAULT_CONFIG, type FewShotK, type RunOptions, type SessionConfig } from './session-config';
import { applyEvents, EMPTY_RESULTS, type Arrival, type LiveResults, type Progress } from './training-events';
import { loadTaskData, manifestsByRole, useTaskStore } from './tasks';
import { configFromQuery, configToQuery, queryHasConfig } from './url-settings';

/**
 * The training session: the chosen tasks and settings, the run in progress and everything it has
 * drawn so far. It is kept in IndexedDB, so a reload shows the same page and can resume the run
 * from the worker's last checkpoint; the URL's query string mirrors the settings.
 */

export type RunStatus = 'starting' | 'running' | 'paused' | 'done' | 'cancelled' | 'failed' | 'interrupted';

/** A run as it was started: resuming uses these values, not the form's current ones. */
export interface RunRecord {
  runId: string;
  sources: string[];
  target: string;
  /** The user's own task when it is the target: kept with the run, so it resumes whatever the Data panel holds later. */
  targetData?: TaskData;
  /** Stages 1 and 2 come from this earlier run's checkpoint: only stage 3 trains. */
  reuseStagesOf?: string;
  k: FewShotK;
  seed: number;
  settings: MethodSettings;
  options: RunOptions;
  model: { name: string; config: T5Config };
  status: RunStatus;
  message: string | null;
}

interface TrainingState extends LiveResults {
  config: SessionConfig;
  run: RunRecord | null;
}

interface TrainingActions {
  updateConfig(patch: Partial<Omit<SessionConfig, 'overrides' | 'options'>>): void;
  /** undefined goes back to the model's default. */
  setOverride<K extends keyof MethodSettings>(key: K, value: MethodSettings[K] | undefined): void;
  setOption(key: keyof RunOptions, value: number): void;
  resetSettings(): void;
  start(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(): Promise<void>;
  /** Continues a stopped run (cancelled, failed, interrupted by a reload) from its last checkpoint. */
  continueRun(): Promise<void>;
  /** A new run that adapts the finished run's P* to the chosen target: stage 3 only. */
  adaptFinishedRun(): Promise<void>;
}

export const ACTIVE: RunStatus[] = ['starting', 'running', 'paused'];
const FLUSH_MS = 250;

/** The hyperparameters in effect: the model's defaults with the user's overrides. */
export function effectiveSettings(config: SessionConfig, model: T5Config): MethodSettings {
  return { ...defaultSettings(model), ...config.overrides };
}

type Catalog = ReturnType<typeof useTaskStore.getState>['catalog'];

/** The chosen tasks, with the defaults (every source, the first target) filled in; the user's task is a target too. */
export function chosenTasks(config: SessionConfig, catalog: Catalog, userTask: TaskData | null): { sources: string[]; target: string | null } {
  const sources = manifestsByRole(catalog, 'source').map((t) => t.id);
  const targets = [...manifestsByRole(catalog, 'target').map((t) => t.id), ...(userTask ? [userTask.id] : [])];
  return {
    sources: config.sources ? config.sources.filter((id) => sources.includes(id)) : sources,
    target: config.target && targets.includes(config.target) ? config.target : (targets[0] ?? null),
  };
}

/** chosenTasks for a component: follows the config and the task list. */
export function useChosenTasks() {
  const config = useTrainingStore((s) => s.config);
  const catalog = useTaskStore((s) => s.catalog);
  const userTask = useDataStore((s) => s.userTask);
  return useMemo(() => chosenTasks(config, catalog, userTask), [config, catalog, userTask]);
}

/** chosenTasks as they stand now, outside a component. */
const currentChoice = () => chosenTasks(useTrainingStore.getState().config, useTaskStore.getState().catalog, useDataStore.getState().userTask);

/** The user's task, when it is the one named `target`: a run keeps it (see RunRecord.targetData). */
function userTargetData(target: string): TaskData | undefined {
  const { userTask } = useDataStore.getState();
  return userTask?.id === target ? userTask : undefined;
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function buildPlan(run: RunRecord): Promise<PipelinePlan> {
  const catalog = useTaskStore.getState().catalog;
  if (catalog.status !== 'ready') throw new Error('the built-in tasks are not loaded yet');
  const load = (id: string) => {
    const manifest = catalog.tasks.find((t) => t.id === id);
    if (!manifest) throw new Error(`there is no task "${id}"`);
    return loadTaskData(manifest);
  };
  return {
    sources: await Promise.all(run.sources.map(load)),
    target: run.targetData ?? (await load(run.target)),
    k: run.k,
    seed: run.seed,
    settings: run.settings,
    evalExamples: run.options.evalExamples,
    sourceExamples: run.options.sourceExamples,
    evalEvery: run.options.evalEvery,
  };
}

// Events arrive once per step or more; they are applied to the state in batches.
let pending: Arrival[] = [];
let pendingRunId: string | null = null;
let flushTimer: ReturnType<typeof setTimeout> | undefined;

export const useTrainingStore = create<TrainingState & TrainingActions>()(
  persist(
    (set, get) => {
      const flush = () => {
        clearTimeout(flushTimer);
        flushTimer = undefined;
        const { run } = get();
        const arrivals = pending;
        pending = [];
        if (!run || run.runId !== pendingRunId || arrivals.length === 0) return;
        set(applyEvents(get(), arrivals, run.sources));
      };

      const setRun = (runId: string, patch: Partial<RunRecord>) => {
        const { run } = get();
        if (run?.runId === runId) set({ run: { ...run, ...patch } });
      };

      const finish = (runId: string, outcome: TrainingOutcome) => {
        flush();
        if (outcome.status === 'done') setRun(runId, { status: 'done', message: null });
        else if (outcome.status === 'cancelled') setRun(runId, { status: 'cancelled', message: 'Cancelled. The last checkpoint is kept.' });
        else setRun(runId, { status: 'failed', message: `Training stopped: ${outcome.message}.` });
      };

      /** Runs (or continues) `run` in the worker until it ends. */
      const train = async (run: RunRecord, resume: boolean) => {
        const client = modelClient();
        try {
          if (!client) throw new Error('the model worker is not running');
          const plan = await buildPlan(run);
          pending = [];
          pendingRunId = run.runId;
          setRun(run.runId, { status: 'running', message: null });
          const outcome = await client.train(
            {
              runId: run.runId,
              plan,
              checkpointEvery: run.options.checkpointEvery,
              snapshotEvery: run.options.snapshotEvery,
              resume,
              reuseStagesOf: run.reuseStagesOf,
            },
            (event) => {
              pending.push({ event, at: performance.now() });
              // The worker's checkpoint is already in IndexedDB, and a resumed run redraws only
              // what comes after it: store every point up to it now, not after the coalescing.
              if (event.type === 'saved') {
                flush();
                void flushPendingWrites();
              } else flushTimer ??= setTimeout(flush, FLUSH_MS);
            },
          );
          finish(run.runId, outcome);
        } catch (e) {
          flush();
          setRun(run.runId, { status: 'interrupted', message: `Training stopped: ${errorMessage(e)}` });
        }
      };

      const control = async (action: 'pause' | 'resume' | 'cancel', status?: RunStatus) => {
        const { run, progress } = get();
        if (!run) return;
        await modelClient()?.[action]();
        if (status) setRun(run.runId, { status });
        // The time spent paused is not a step's time.
        if (progress) set({ progress: { ...progress, lastStepAt: null } });
      };

      return {
        ...EMPTY_RESULTS,
        config: DEFAULT_CONFIG,
        run: null,

        updateConfig: (patch) => set((s) => ({ config: { ...s.config, ...patch } })),
        setOverride: (key, value) =>
          set((s) => {
            const overrides = { ...s.config.overrides };
            if (value === undefined) delete overrides[key];
            else overrides[key] = value;
            return { config: { ...s.config, overrides } };
          }),
        setOption: (key, value) => set((s) => ({ config: { ...s.config, options: { ...s.config.options, [key]: value } } })),
        resetSettings: () => set((s) => ({ config: { ...s.config, overrides: {}, options: DEFAULT_CONFIG.options } })),

        async start() {
          const { model, modelName } = useModelStore.getState();
          const { config, run } = get();
          const { sources, target } = currentChoice();
          if (!model || !target || sources.length === 0 || (run && ACTIVE.includes(run.status))) return;
          const next: RunRecord = {
            runId: crypto.randomUUID(),
            sources,
            target,
            targetData: userTargetData(target),
            k: config.k,
            seed: config.seed,
            settings: effectiveSettings(config, model.config),
            options: config.options,
            model: { name: modelName ?? 'unnamed model', config: model.config },
            status: 'starting',
            message: null,
          };
          set({ ...EMPTY_RESULTS, run: next });
          await train(next, false);
        },

        pause: () => control('pause', 'paused'),
        resume: () => control('resume', 'running'),
        cancel: () => control('cancel'),

        async continueRun() {
          const { run, curves } = get();
          const client = modelClient();
          if (!run || ACTIVE.includes(run.status) || !client) return;
          setRun(run.runId, { status: 'starting', message: null });
          // What was drawn after the checkpoint is drawn again by the resumed run.
          const saved = await client.savedRun(run.runId).catch(() => null);
          // A run that reuses stages 1 and 2 starts over at stage 3, not at the beginning.
          const from = saved ?? (run.reuseStagesOf ? { phase: { stage: 3 } as const, step: 0 } : null);
          set(
            from
              ? { curves: curvesUpTo(curves, from.phase, from.step, run.sources), progress: null, phase: from.phase, saved: saved && { phase: saved.phase, step: saved.step } }
              : EMPTY_RESULTS,
          );
          await train(run, true);
        },

        async adaptFinishedRun() {
          const { config, run, curves, teachers, sourcePrompts } = get();
          const { model } = useModelStore.getState();
          const { target } = currentChoice();
          if (!run || run.status !== 'done' || !model || !target) return;
          // Stages 1 and 2 (and the hyperparameters that shaped them) are the finished run's; what
          // belongs to the new target comes from the form: k, seed and the stage-3 steps.
          const next: RunRecord = {
            ...run,
            runId: crypto.randomUUID(),
            target,
            targetData: userTargetData(target),
            reuseStagesOf: run.runId,
            k: config.k,
            seed: config.seed,
            settings: { ...run.settings, targetSteps: effectiveSettings(config, model.config).targetSteps },
            status: 'starting',
            message: null,
          };
          const stage3: PipelinePhase = { stage: 3 };
          set({ ...EMPTY_RESULTS, curves: curvesUpTo(curves, stage3, 0, run.sources), teachers, sourcePrompts, phase: stage3, run: next });
          await train(next, false);
        },
      };
    },
    {
      name: 'training-session',
      version: 1,
      storage: indexedDbStorage<Partial<TrainingState>>('mpt-playground-session'),
      partialize: (s) => ({
        config: s.config,
        run: s.run,
        progress: s.progress,
        curves: s.curves,
        teachers: s.teachers,
        sourcePrompts: s.sourcePrompts,
        targetPrompts: s.targetPrompts,
        phase: s.phase,
        saved: s.saved,
      }),
      onRehydrateStorage: () => () => afterHydration(),
    },
  ),
);

/** A run that was active when the page went away is stopped now; the URL's settings win over stored ones. */
function afterHydration() {
  const { run, config } = useTrainingStore.getState();
  const query = window.location.search;
  useTrainingStore.setState({
    config: queryHasConfig(query) ? configFromQuery(query, DEFAULT_CONFIG) : config,
    run: run && ACTIVE.includes(run.status) ? { ...run, status: 'interrupted', message: 'The page was reloaded during training.' } : run,
  });
  writeUrl(useTrainingStore.getState().config);
  useTrainingStore.subscribe((state, previous) => {
    if (state.config !== previous.config) writeUrl(state.config);
  });
}

/** The Data panel checks rows against the input length training will cut at: the user's override or the model's default. */
function sendInputLimit() {
  const model = useModelStore.getState().model;
  const { overrides } = useTrainingStore.getState().config;
  useDataStore.getState().setMaxInputTokens(overrides.maxInputTokens ?? (model ? defaultSettings(model.config).maxInputTokens : INPUT_LIMIT_WITHOUT_MODEL));
}
useModelStore.subscribe((state, previous) => state.model !== previous.model && sendInputLimit());
useTrainingStore.subscribe((state, previous) => state.config.overrides !== previous.config.overrides && sendInputLimit());

function writeUrl(config: SessionConfig) {
  const query = configToQuery(config);
  if (window.location.search !== `?${query}`) window.history.replaceState(null, '', `?${query}${window.location.hash}`);
}

/** Called once at startup: reads the built-in tasks (the session itself is read from IndexedDB on its own). */
export function startTrainingSession(): void {
  void useTaskStore.getState().loadCatalog();
}

/** Steps done over the whole run, from its latest progress (all of them once done). */
export function stepsDone(run: RunRecord, progress: Progress | null): { done: number; total: number } {
  const phase = run.status === 'done' ? ({ stage: 'done' } as const) : progress?.phase;
  if (!phase) return { done: 0, total: overallSteps({ stage: 'done' }, 0, run.sources.length, run.settings).total };
  return overallSteps(phase, progress?.step ?? 0, run.sources.length, run.settings);
}

/** The phase a run's saved checkpoint or live progress is in, for "stage 2, step 40" texts. */
export function describePhase(phase: PipelinePhase, sources: string[]): string {
  if (phase.stage === 1) return `stage 1 (${sources[phase.source] ?? `source ${phase.source + 1}`})`;
  return phase.stage === 'done' ? 'the end' : `stage ${phase.stage}`;
}
