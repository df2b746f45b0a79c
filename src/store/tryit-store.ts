import { create } from 'zustand';
import { taskPrompt, type VectorSet } from '../method/vector-set';
import type { HostTensor } from '../model/weights';
import type { ClassifyResult } from '../worker/inference-api';
import { useDataStore } from './data-store';
import { modelClient, useModelStore } from './model-store';
import { useVectorsStore } from './vectors-store';

/**
 * "Try it" on the vectors in use: every classification task with a prompt becomes a choice, its
 * prompt is kept in the worker, and classifying with another task only switches prompts there.
 */

export interface TryItTask {
  /** The key the worker keeps the prompt under. */
  key: string;
  name: string;
  labels: string[];
  verbalizers: string[];
  prompt: HostTensor;
}

/** The choices: each task's P̂ (or teacher), its teacher too, and the user's task on P* alone. */
function tryItTasks(set: VectorSet | null): TryItTask[] {
  if (!set) return [];
  const userTask = useDataStore.getState().userTask;
  const tasks: TryItTask[] = [];
  for (const task of set.tasks.filter((t) => t.kind === 'classification' && t.verbalizers.length > 1)) {
    const prompt = taskPrompt(set, task);
    const composed = prompt !== null && prompt !== task.teacher;
    const base = { labels: task.labels, verbalizers: task.verbalizers };
    if (prompt) tasks.push({ ...base, key: task.id, name: `${task.id} (${task.role}${composed ? ', MPT' : ', teacher'})`, prompt });
    if (composed && task.teacher) tasks.push({ ...base, key: `teacher.${task.id}`, name: `${task.id} (stage-1 teacher)`, prompt: task.teacher });
  }
  const covered = set.tasks.some((t) => t.id === userTask?.id);
  if (userTask && userTask.kind === 'classification' && !covered && set.shared) {
    tasks.push({ key: `shared.${userTask.id}`, name: `${userTask.id} (your data, P* without training)`, labels: userTask.verbalizers, verbalizers: userTask.verbalizers, prompt: set.shared });
  }
  return tasks;
}

interface TryItState {
  tasks: TryItTask[];
  selected: string | null;
  text: string;
  classifying: boolean;
  result: (ClassifyResult & { text: string }) | null;
  error: string | null;
  setText(text: string): void;
  /** Picks a task and, when there is text, classifies it at once. */
  select(key: string): Promise<void>;
  classify(): Promise<void>;
}

// The worker has the latest prompts once this settles.
let synced: Promise<void> = Promise.resolve();

export const useTryItStore = create<TryItState>()((set, get) => ({
  tasks: [],
  selected: null,
  text: '',
  classifying: false,
  result: null,
  error: null,

  setText: (text) => set({ text }),

  async select(key) {
    set({ selected: key });
    if (get().text.trim()) await get().classify();
  },

  async classify() {
    const { selected, text } = get();
    const client = modelClient();
    if (!selected || !client || !text.trim()) return;
    set({ classifying: true, error: null });
    try {
      await synced;
      const result = await client.classify(text, selected);
      // A slower answer for an earlier choice must not overwrite a newer one.
      if (get().selected === selected) set({ result: { ...result, text } });
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e), result: null });
    } finally {
      set({ classifying: false });
    }
  },
}));

/** Sends the choices' prompts to the worker whenever the vectors, the user task or the worker's model change. */
function syncTasks() {
  const tasks = tryItTasks(useVectorsStore.getState().set);
  const { selected } = useTryItStore.getState();
  const stillThere = tasks.some((t) => t.key === selected);
  useTryItStore.setState({ tasks, selected: stillThere ? selected : (tasks[0]?.key ?? null), ...(stillThere ? {} : { result: null }) });
  const client = modelClient();
  if (!client || !useModelStore.getState().model) return;
  synced = client
    .setTaskPrompts(tasks.map((t) => ({ taskId: t.key, verbalizers: t.verbalizers, prompt: t.prompt })))
    .catch(() => undefined); // A dead worker is reported by the model store.
}
useVectorsStore.subscribe((s, p) => s.set !== p.set && syncTasks());
useDataStore.subscribe((s, p) => s.userTask !== p.userTask && syncTasks());
useModelStore.subscribe((s, p) => s.model !== p.model && syncTasks());
