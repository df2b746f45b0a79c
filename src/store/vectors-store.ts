import { create } from 'zustand';
import { checkFitsModel, readVectorsJson, readVectorsSafetensors } from '../method/export';
import { readPeftZip } from '../method/peft';
import { vectorSetOf, type TaskInfo, type VectorSet } from '../method/vector-set';
import { useDataStore } from './data-store';
import { useModelStore } from './model-store';
import { useTaskStore } from './tasks';
import { useTrainingStore } from './training-store';

/**
 * The vectors in use for "Try it" and "Export": by default the training run's (rebuilt from the
 * training store as its snapshots arrive), or those of an imported file or of a comparison.
 */

export type VectorOrigin = { kind: 'run' } | { kind: 'file'; name: string } | { kind: 'compare'; description: string };

interface VectorsState {
  origin: VectorOrigin;
  set: VectorSet | null;
  importing: boolean;
  importError: string | null;
}

interface VectorsActions {
  importFile(file: File): Promise<void>;
  /** Back to the training run's vectors. */
  followRun(): void;
  setVectors(set: VectorSet, origin: VectorOrigin): void;
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A task's name, kind and labels: a built-in task's manifest, or the user's task. */
export function taskInfo(id: string): TaskInfo | null {
  const catalog = useTaskStore.getState().catalog;
  const manifest = catalog.status === 'ready' ? catalog.tasks.find((t) => t.id === id) : undefined;
  if (manifest) {
    const labels = manifest.labels ?? [];
    return { id, kind: manifest.kind, verbalizers: labels.map((l) => l.verbalizer), labels: labels.map((l) => l.label) };
  }
  const userTask = useDataStore.getState().userTask;
  return userTask?.id === id ? userTask : null;
}

/** The training run's vectors so far (teachers, then P* and U, V, then the target's); null before any. */
function runVectors(): VectorSet | null {
  const { run, teachers, sourcePrompts, targetPrompts, curves } = useTrainingStore.getState();
  if (!run || Object.keys(teachers).length === 0) return null;
  const sources = run.sources.map(taskInfo);
  const target = run.targetData ?? taskInfo(run.target);
  if (sources.some((s) => s === null)) return null;
  // The latest validation score of each task's prompt: a source's P̂_k after stage 2, else its teacher.
  const kinds = new Map([...sources, target].filter((t) => t !== null).map((t) => [t.id, t.kind]));
  const metrics: Record<string, Record<string, number>> = {};
  for (const chart of ['eval-1', 'eval-2', 'eval-3'] as const) {
    for (const [task, points] of Object.entries(curves[chart] ?? {})) {
      const last = points.at(-1);
      const kind = kinds.get(task);
      if (last && kind) metrics[task] = { [`validation_${kind === 'classification' ? 'accuracy' : 'exact_match'}`]: last.value };
    }
  }
  return vectorSetOf({
    modelId: run.model.name,
    promptLength: run.settings.promptLength,
    dModel: run.model.config.dModel,
    rank: run.settings.rank,
    sources: sources as TaskInfo[],
    teachers: run.sources.map((id) => teachers[id]),
    sourcePrompts: sourcePrompts?.prompts,
    ...(target && targetPrompts ? { target, targetPrompts: targetPrompts.prompts } : {}),
    metrics,
  });
}

/** Reads a vectors file by its content: a zip is a peft adapter, '{' starts JSON, else safetensors. */
function readVectorFile(bytes: Uint8Array, name: string): VectorSet {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return readPeftZip(bytes, name);
  const first = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  if (first.startsWith('{')) return readVectorsJson(new TextDecoder().decode(bytes), name);
  return readVectorsSafetensors(bytes, name);
}

export const useVectorsStore = create<VectorsState & VectorsActions>()((set) => ({
  origin: { kind: 'run' },
  set: null,
  importing: false,
  importError: null,

  async importFile(file) {
    set({ importing: true, importError: null });
    try {
      const { model, modelName } = useModelStore.getState();
      if (!model) throw new Error('Load a model first: imported vectors are checked against its d_model.');
      const vectors = readVectorFile(new Uint8Array(await file.arrayBuffer()), file.name);
      checkFitsModel(vectors, { dModel: model.config.dModel, name: modelName ?? '' }, file.name);
      set({ origin: { kind: 'file', name: file.name }, set: vectors, importing: false });
    } catch (e) {
      set({ importing: false, importError: errorMessage(e) });
    }
  },

  followRun: () => set({ origin: { kind: 'run' }, set: runVectors(), importError: null }),
  setVectors: (vectors, origin) => set({ origin, set: vectors, importError: null }),
}));

/** Follows the run while its vectors are the ones in use. */
function refreshFromRun() {
  if (useVectorsStore.getState().origin.kind === 'run') useVectorsStore.setState({ set: runVectors() });
}
useTrainingStore.subscribe((s, p) => {
  if (s.run !== p.run || s.teachers !== p.teachers || s.sourcePrompts !== p.sourcePrompts || s.targetPrompts !== p.targetPrompts) refreshFromRun();
});
useTaskStore.subscribe((s, p) => s.catalog !== p.catalog && refreshFromRun());
useDataStore.subscribe((s, p) => s.userTask !== p.userTask && refreshFromRun());
