import { create } from 'zustand';
import { formatInput } from '../data/task-manifest';
import { taskPrompt, type TaskVectors, type VectorSet } from '../method/vector-set';
import type { HostTensor } from '../model/weights';
import type { ClassifyResult, TaskGeneration } from '../worker/inference-api';
import { useDataStore } from './data-store';
import { modelClient, useModelStore } from './model-store';
import { useTaskStore } from './tasks';
import { useVectorsStore } from './vectors-store';

/**
 * "Try it" on the vectors in use: every task with a prompt becomes a choice, its prompt is kept
 * in the worker, and running another task only switches prompts there. Classification tasks
 * rank their labels; generative ones show the model's greedy output.
 */

export interface TryItTask {
  /** The key the worker keeps the prompt under. */
  key: string;
  /** The task's id: a built-in task's text goes through its template, as in training. */
  taskId: string;
  name: string;
  kind: TaskVectors['kind'];
  labels: string[];
  verbalizers: string[];
  prompt: HostTensor;
}

/** Tokens a generative task may write. */
export const MAX_NEW_TOKENS = 32;

/** The choices: each task's P̂ (or teacher), its teacher too, and the user's task on P* alone. */
function tryItTasks(set: VectorSet | null): TryItTask[] {
  if (!set) return [];
  const userTask = useDataStore.getState().userTask;
  const tasks: TryItTask[] = [];
  for (const task of set.tasks.filter((t) => t.kind === 'generation' || t.verbalizers.length > 1)) {
    const prompt = taskPrompt(set, task);
    const composed = prompt !== null && prompt !== task.teacher;
    const base = { taskId: task.id, kind: task.kind, labels: task.labels, verbalizers: task.verbalizers };
    if (prompt) tasks.push({ ...base, key: task.id, name: `${task.id} (${task.role}${composed ? ', MPT' : ', teacher'})`, prompt });
    if (composed && task.teacher) tasks.push({ ...base, key: `teacher.${task.id}`, name: `${task.id} (stage-1 teacher)`, prompt: task.teacher });
  }
  const covered = set.tasks.some((t) => t.id === userTask?.id);
  if (userTask && !covered && set.shared) {
    tasks.push({
      key: `shared.${userTask.id}`,
      taskId: userTask.id,
      name: `${userTask.id} (your data, P* without training)`,
      kind: userTask.kind,
      labels: userTask.verbalizers,
      verbalizers: userTask.verbalizers,
      prompt: set.shared,
    });
  }
  return tasks;
}

/** The text as the task's prompt was trained on it: built-in tasks wrap it in their template. */
function modelInput(taskId: string, text: string): string {
  const catalog = useTaskStore.getState().catalog;
  const manifest = catalog.status === 'ready' ? catalog.tasks.find((t) => t.id === taskId) : undefined;
  return manifest ? formatInput(manifest, text) : text;
}

type TryItResult = ({ kind: 'classification' } & ClassifyResult) | ({ kind: 'generation' } & TaskGeneration);

interface TryItState {
  tasks: TryItTask[];
  selected: string | null;
  text: string;
  running: boolean;
  /** The latest answer, with the text (as typed) it answers. */
  result: (TryItResult & { text: string }) | null;
  error: string | null;
  setText(text: string): void;
  /** Picks a task and, when there is text, runs it at once. */
  select(key: string): Promise<void>;
  /** Classifies or generates, as the selected task's kind says. */
  run(): Promise<void>;
}

// The worker has the latest prompts once this settles.
let synced: Promise<void> = Promise.resolve();

export const useTryItStore = create<TryItState>()((set, get) => ({
  tasks: [],
  selected: null,
  text: '',
  running: false,
  result: null,
  error: null,

  setText: (text) => set({ text }),

  async select(key) {
    set({ selected: key });
    if (get().text.trim()) await get().run();
  },

  async run() {
    const { selected, text, tasks } = get();
    const task = tasks.find((t) => t.key === selected);
    const client = modelClient();
    if (!task || !client || !text.trim()) return;
    set({ running: true, error: null });
    try {
      await synced;
      const input = modelInput(task.taskId, text);
      const result: TryItResult =
        task.kind === 'generation'
          ? { kind: 'generation', ...(await client.generateForTask(input, task.key, MAX_NEW_TOKENS)) }
          : { kind: 'classification', ...(await client.classify(input, task.key)) };
      // A slower answer for an earlier choice must not overwrite a newer one.
      if (get().selected === task.key) set({ result: { ...result, text } });
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e), result: null });
    } finally {
      set({ running: false });
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
