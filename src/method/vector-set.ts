import type { HostTensor } from '../model/weights';
import type { ExperimentResult } from './experiment';
import type { TaskData } from './task-data';

/**
 * What an MPT run leaves behind, as plain arrays: the shared prompt P* [l, d] and, per task, its
 * rank-r factors u [l, r], v [d, r] (P̂ = P* ⊙ u vᵀ), its stage-1 teacher [l, d], and for the
 * target, its own copy of P* (stage 3 trains P* as well as u and v). This is what the page
 * exports, imports and sends to the worker for "Try it".
 */

export interface TaskVectors {
  id: string;
  role: 'source' | 'target';
  kind: TaskData['kind'];
  /** Class names as people read them; the same as the verbalizers unless the task says otherwise. */
  labels: string[];
  verbalizers: string[];
  teacher?: HostTensor;
  u?: HostTensor;
  v?: HostTensor;
  /** The target's own P* after stage 3; sources use the set's `shared`. */
  shared?: HostTensor;
  /** Scores of the task's prompt, e.g. {accuracy: 0.81, macroF1: 0.8}. */
  metrics?: Record<string, number>;
}

export interface VectorSet {
  /** Where the frozen model came from (a Hugging Face id or a URL). */
  modelId: string;
  promptLength: number; // l
  dModel: number; // d
  rank: number; // r
  /** P* after stage 2. */
  shared?: HostTensor;
  tasks: TaskVectors[];
}

/** A task as the vector set describes it; `labels` default to the verbalizers. */
export type TaskInfo = Pick<TaskData, 'id' | 'kind' | 'verbalizers'> & { labels?: string[] };

/** A decomposed prompt set's arrays: P* [l, d], U [K, l, r], V [K, d, r]. */
export interface DecomposedArrays {
  shared: HostTensor;
  u: HostTensor;
  v: HostTensor;
}

/** Slice k of a [K, a, b] array, as [a, b]. */
export function sliceTask(t: HostTensor, k: number): HostTensor {
  const [, a, b] = t.shape;
  return { shape: [a, b], data: t.data.slice(k * a * b, (k + 1) * a * b) };
}

const describe = (task: TaskInfo, role: TaskVectors['role']): TaskVectors => ({
  id: task.id,
  role,
  kind: task.kind,
  labels: task.labels ?? task.verbalizers,
  verbalizers: task.verbalizers,
});

/**
 * The vectors of one run: teachers (stage 1), P* and the sources' U, V (stage 2), and the
 * target's P*, u, v (stage 3); any later stage may be missing when the run has not got there.
 */
export function vectorSetOf(run: {
  modelId: string;
  promptLength: number;
  dModel: number;
  rank: number;
  sources: TaskInfo[];
  /** Per source; missing for a source whose stage 1 has not finished. */
  teachers: (HostTensor | undefined)[];
  sourcePrompts?: DecomposedArrays;
  target?: TaskInfo;
  targetPrompts?: DecomposedArrays;
  metrics?: Record<string, Record<string, number>>;
}): VectorSet {
  const withMetrics = (t: TaskVectors): TaskVectors => (run.metrics?.[t.id] ? { ...t, metrics: run.metrics[t.id] } : t);
  const sources = run.sources.map((task, k): TaskVectors => {
    const vectors = describe(task, 'source');
    if (run.teachers[k]) vectors.teacher = run.teachers[k];
    if (run.sourcePrompts) {
      vectors.u = sliceTask(run.sourcePrompts.u, k);
      vectors.v = sliceTask(run.sourcePrompts.v, k);
    }
    return withMetrics(vectors);
  });
  const tasks = [...sources];
  if (run.target && run.targetPrompts) {
    const { shared, u, v } = run.targetPrompts;
    tasks.push(withMetrics({ ...describe(run.target, 'target'), shared, u: sliceTask(u, 0), v: sliceTask(v, 0) }));
  }
  const set: VectorSet = { modelId: run.modelId, promptLength: run.promptLength, dModel: run.dModel, rank: run.rank, tasks };
  if (run.sourcePrompts) set.shared = run.sourcePrompts.shared;
  return set;
}

/** P*, U and V when all three are there (a run that reused stage 2 has no U, V). */
function decomposed(shared?: HostTensor, u?: HostTensor, v?: HostTensor): DecomposedArrays | undefined {
  return shared && u && v ? { shared, u, v } : undefined;
}

/**
 * The MPT vectors of a comparison (runExperiment): the teachers, P* and the sources' U, V of
 * stage 2, and the target's P*, u, v as adapted from k examples with one seed. Metrics: the
 * teachers' validation scores and the target's test score.
 */
export function vectorSetOfExperiment(
  result: ExperimentResult,
  run: { modelId: string; promptLength: number; dModel: number; rank: number; sources: TaskInfo[]; target: TaskInfo; k: number | 'all'; seed: number },
): VectorSet {
  const v = result.vectors;
  const stem = `target.${run.target.id}.k${run.k}.seed${run.seed}`;
  const metrics: Record<string, Record<string, number>> = {};
  for (const t of result.teachers) metrics[t.task] = { [`validation_${t.validation.metric}`]: t.validation.score };
  const row = result.rows.find((r) => r.target === run.target.id && r.method === 'mpt' && r.k === run.k && r.seed === run.seed);
  if (row) metrics[run.target.id] = { [`test_${row.metric}`]: row.score };
  return vectorSetOf({
    ...run,
    teachers: run.sources.map((task) => v[`teacher.${task.id}`]),
    sourcePrompts: decomposed(v['mpt.shared_prompt'], v['mpt.source_u'], v['mpt.source_v']),
    targetPrompts: decomposed(v[`${stem}.shared`], v[`${stem}.u`], v[`${stem}.v`]),
    metrics,
  });
}

/**
 * The prompt [l, d] a task uses: (its own P* or the set's) ⊙ u vᵀ when it has u and v, else its
 * teacher; null when it has neither. The same maths as kernels/compose-prompts.ts, on the CPU.
 */
export function taskPrompt(set: VectorSet, task: TaskVectors): HostTensor | null {
  const shared = task.shared ?? set.shared;
  if (!task.u || !task.v || !shared) return task.teacher ?? null;
  const [l, d] = shared.shape;
  const r = task.u.shape[1];
  const out = new Float32Array(l * d);
  for (let i = 0; i < l; i++) {
    for (let j = 0; j < d; j++) {
      let scale = 0;
      for (let k = 0; k < r; k++) scale += task.u.data[i * r + k] * task.v.data[j * r + k];
      out[i * d + j] = shared.data[i * d + j] * scale;
    }
  }
  return { shape: [l, d], data: out };
}
