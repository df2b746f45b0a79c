import { create } from 'zustand';
import type { ExperimentPlan, ExperimentResult, RunRow, TargetMethod } from '../method/experiment';
import type { MethodSettings } from '../method/settings';
import type { TaskData } from '../method/task-data';
import { vectorSetOfExperiment } from '../method/vector-set';
import { useDataStore } from './data-store';
import { modelClient, useModelStore } from './model-store';
import { loadTaskData, useTaskStore } from './tasks';
import { ACTIVE, effectiveSettings, useTrainingStore } from './training-store';
import { taskInfo, useVectorsStore } from './vectors-store';

/**
 * "Compare": few-shot scores of MPT, prompt tuning and SPoT on one target, at several k and
 * seeds, run in the worker by the same runExperiment as the headless runner. Step counts are
 * small by default so a run fits in a browser tab; the form makes them bigger.
 */

export const COMPARED_METHODS: { method: TargetMethod; name: string }[] = [
  { method: 'mpt', name: 'MPT' },
  { method: 'prompt-tuning', name: 'Prompt tuning' },
  { method: 'spot-best', name: 'SPoT' },
];

export interface CompareForm {
  target: string | null;
  sources: string[] | null;
  /** Comma-separated, as typed. */
  ks: string;
  seeds: string;
  sourceSteps: number;
  distillSteps: number;
  targetSteps: number;
  sourceExamples: number;
  evalExamples: number;
}

export interface CompareSummary {
  method: TargetMethod;
  k: number;
  mean: number;
  min: number;
  max: number;
  n: number;
}

type Status =
  | { kind: 'idle' }
  | { kind: 'running'; message: string; done: number; total: number; cancelling: boolean }
  | { kind: 'done' }
  /** Stopped by the user; `rows` holds the runs that had finished. */
  | { kind: 'cancelled'; done: number; total: number }
  | { kind: 'error'; message: string };

interface CompareState {
  form: CompareForm;
  status: Status;
  rows: RunRow[];
  /** What the finished run was, for "use these vectors". */
  finished: { result: ExperimentResult; plan: ExperimentPlan; model: { name: string; dModel: number } } | null;
  update(patch: Partial<CompareForm>): void;
  run(): Promise<void>;
  /** Stops the comparison at its next training step, keeping the runs finished so far. */
  cancel(): Promise<void>;
  /** Makes the finished run's MPT vectors the ones in use. */
  keepVectors(): void;
}

const DEFAULT_FORM: CompareForm = {
  target: null,
  sources: null,
  ks: '4, 16, 32',
  seeds: '1, 2',
  sourceSteps: 20,
  distillSteps: 20,
  targetSteps: 20,
  sourceExamples: 64,
  evalExamples: 32,
};

/** "4, 16, 32" -> [4, 16, 32]; null when any entry is not a positive integer. */
export function parseList(text: string): number[] | null {
  const items = text.split(/[\s,]+/).filter(Boolean).map(Number);
  return items.length > 0 && items.every((n) => Number.isInteger(n) && n > 0) ? [...new Set(items)] : null;
}

/** Mean, min and max over seeds per (method, k). */
export function summarizeRows(rows: RunRow[]): CompareSummary[] {
  const groups = new Map<string, RunRow[]>();
  for (const r of rows) groups.set(`${r.method}/${r.k}`, [...(groups.get(`${r.method}/${r.k}`) ?? []), r]);
  return [...groups.values()].map((g) => {
    const scores = g.map((r) => r.score);
    return { method: g[0].method, k: g[0].k as number, mean: scores.reduce((a, b) => a + b, 0) / scores.length, min: Math.min(...scores), max: Math.max(...scores), n: scores.length };
  });
}

type Catalog = ReturnType<typeof useTaskStore.getState>['catalog'];

/** The target choices: the built-in targets, then the user's task when there is one. */
export function targetChoices(catalog: Catalog, userTask: TaskData | null): { id: string; name: string }[] {
  const builtIn = catalog.status === 'ready' ? catalog.tasks.filter((t) => t.role === 'target').map((t) => ({ id: t.id, name: t.name })) : [];
  return userTask ? [...builtIn, { id: userTask.id, name: `${userTask.id} (your data)` }] : builtIn;
}

async function taskData(id: string): Promise<TaskData> {
  const userTask = useDataStore.getState().userTask;
  if (userTask?.id === id) return userTask;
  const catalog = useTaskStore.getState().catalog;
  const manifest = catalog.status === 'ready' ? catalog.tasks.find((t) => t.id === id) : undefined;
  if (!manifest) throw new Error(`there is no task "${id}"`);
  return loadTaskData(manifest);
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The MPT run whose vectors "use these vectors" takes: the largest k, its first seed; null when no MPT run finished. */
export function keptRow(result: ExperimentResult): RunRow | null {
  const mpt = result.rows.filter((r) => r.method === 'mpt');
  return mpt.length === 0 ? null : mpt.reduce((best, r) => ((r.k as number) > (best.k as number) ? r : best));
}

/** Both would train on the one model in the worker at once. */
function trainingIsRunning(): boolean {
  const run = useTrainingStore.getState().run;
  return run !== null && ACTIVE.includes(run.status);
}

export const useCompareStore = create<CompareState>()((set, get) => ({
  form: DEFAULT_FORM,
  status: { kind: 'idle' },
  rows: [],
  finished: null,

  update: (patch) => set((s) => ({ form: { ...s.form, ...patch } })),

  async run() {
    const { form, status } = get();
    const client = modelClient();
    const { model, modelName } = useModelStore.getState();
    const ks = parseList(form.ks);
    const seeds = parseList(form.seeds);
    if (status.kind === 'running' || !client || !model || !ks || !seeds || !form.target || !form.sources?.length) return;
    if (trainingIsRunning()) {
      set({ status: { kind: 'error', message: 'Training is running in the model worker: compare once it has stopped or is cancelled.' } });
      return;
    }
    const total = ks.length * seeds.length * COMPARED_METHODS.length;
    set({ status: { kind: 'running', message: 'Reading the tasks…', done: 0, total, cancelling: false }, rows: [], finished: null });
    const running = (message: string, done: number) => {
      const { status: now } = get();
      if (now.kind === 'running') set({ status: { ...now, done, message: now.cancelling ? now.message : message } });
    };
    try {
      const settings: MethodSettings = {
        ...effectiveSettings(useTrainingStore.getState().config, model.config),
        sourceSteps: form.sourceSteps,
        distillSteps: form.distillSteps,
        targetSteps: form.targetSteps,
      };
      const plan: ExperimentPlan = {
        sources: await Promise.all(form.sources.map(taskData)),
        targets: [await taskData(form.target)],
        ks,
        seeds,
        methods: COMPARED_METHODS.map((m) => m.method),
        settings,
        evalExamples: form.evalExamples,
        sourceExamples: form.sourceExamples,
      };
      const now = get().status;
      if (now.kind === 'running' && now.cancelling) {
        // Cancel was pressed while the tasks were being read.
        set({ status: { kind: 'cancelled', done: 0, total } });
        return;
      }
      let done = 0;
      const result = await client.compare(plan, (event) => {
        if ('report' in event) {
          running(`${event.phase}: step ${event.report.step} of ${event.report.totalSteps}`, done);
        } else if (event.phase.startsWith('stage 3')) {
          done++;
          running(`${event.phase}: ${event.message}`, done);
        }
      });
      set({
        status: result.stopped ? { kind: 'cancelled', done: result.rows.length, total } : { kind: 'done' },
        rows: result.rows,
        finished: { result, plan, model: { name: modelName ?? '', dModel: model.config.dModel } },
      });
    } catch (e) {
      set({ status: { kind: 'error', message: `The comparison stopped: ${errorMessage(e)}` } });
    }
  },

  async cancel() {
    const { status } = get();
    if (status.kind !== 'running' || status.cancelling) return;
    set({ status: { ...status, cancelling: true, message: 'Stopping at the next step…' } });
    await modelClient()?.cancel();
  },

  keepVectors() {
    const { finished } = get();
    const row = finished && keptRow(finished.result);
    if (!row) return;
    const { result, plan, model } = finished;
    const target = plan.targets[0];
    const { k, seed } = row;
    const info = (task: TaskData) => taskInfo(task.id) ?? task;
    const vectors = vectorSetOfExperiment(result, {
      modelId: model.name,
      promptLength: plan.settings.promptLength,
      dModel: model.dModel,
      rank: plan.settings.rank,
      sources: plan.sources.map(info),
      target: info(target),
      k,
      seed,
    });
    useVectorsStore.getState().setVectors(vectors, { kind: 'compare', description: `the comparison on ${target.id} (MPT, k = ${k}, seed ${seed})` });
  },
}));
