import { create } from 'zustand';
import {
  parseTaskExamples,
  parseTaskIndex,
  parseTaskManifest,
  SPLIT_NAMES,
  type SplitName,
  type TaskExample,
  type TaskManifest,
} from '../data/task-manifest';
import { taskDataFromFiles, type TaskData } from '../method/task-data';

/**
 * The built-in tasks in public/tasks: the manifests for the task cards, a few examples per card
 * (read from the train split when the card is opened), and the full splits for training.
 */

type Catalog = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; tasks: TaskManifest[] };
type Examples = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; examples: TaskExample[] };

interface TaskState {
  catalog: Catalog;
  examples: Record<string, Examples>;
  loadCatalog(): Promise<void>;
  loadExamples(id: string): Promise<void>;
}

const EXAMPLES_SHOWN = 3;

// Each file is fetched once per page: the examples and the training data share the train split.
const texts = new Map<string, Promise<string>>();
function fetchText(url: URL): Promise<string> {
  let text = texts.get(url.href);
  if (!text) {
    text = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
      return response.text();
    });
    text.catch(() => texts.delete(url.href));
    texts.set(url.href, text);
  }
  return text;
}

// Split files are named relative to their manifest.
const manifestUrls = new Map<string, URL>();
const splitUrl = (manifest: TaskManifest, split: SplitName) => new URL(manifest.splits[split].file, manifestUrls.get(manifest.id));

/** Up to three examples, with different labels first so the card shows the label set at work. */
function sampleExamples(examples: TaskExample[]): TaskExample[] {
  const byLabel = new Map<string, TaskExample>();
  for (const e of examples) if (!byLabel.has(e.label)) byLabel.set(e.label, e);
  const picked = [...byLabel.values()].slice(0, EXAMPLES_SHOWN);
  return [...picked, ...examples.filter((e) => !picked.includes(e))].slice(0, EXAMPLES_SHOWN);
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const useTaskStore = create<TaskState>()((set, get) => ({
  catalog: { status: 'loading' },
  examples: {},

  async loadCatalog() {
    try {
      const indexUrl = new URL('tasks/index.json', document.baseURI);
      const index = parseTaskIndex(JSON.parse(await fetchText(indexUrl)));
      const tasks = await Promise.all(
        index.tasks.map(async (entry) => {
          const url = new URL(entry.path, indexUrl);
          const manifest = parseTaskManifest(JSON.parse(await fetchText(url)));
          manifestUrls.set(manifest.id, url);
          return manifest;
        }),
      );
      set({ catalog: { status: 'ready', tasks } });
    } catch (e) {
      set({ catalog: { status: 'error', message: `The built-in tasks could not be read: ${message(e)}` } });
    }
  },

  async loadExamples(id) {
    const { catalog, examples } = get();
    const manifest = catalog.status === 'ready' ? catalog.tasks.find((t) => t.id === id) : undefined;
    if (!manifest || examples[id]) return;
    const setExamples = (value: Examples) => set((s) => ({ examples: { ...s.examples, [id]: value } }));
    setExamples({ status: 'loading' });
    try {
      const parsed = parseTaskExamples(await fetchText(splitUrl(manifest, 'train')), manifest);
      setExamples({ status: 'ready', examples: sampleExamples(parsed.examples) });
    } catch (e) {
      setExamples({ status: 'error', message: message(e) });
    }
  },
}));

/** A built-in task's three splits as the method's TaskData. */
export async function loadTaskData(manifest: TaskManifest): Promise<TaskData> {
  const texts = await Promise.all(SPLIT_NAMES.map((split) => fetchText(splitUrl(manifest, split))));
  return taskDataFromFiles(manifest, Object.fromEntries(SPLIT_NAMES.map((split, i) => [split, texts[i]])) as Record<SplitName, string>);
}

export function manifestsByRole(catalog: Catalog, role: TaskManifest['role']): TaskManifest[] {
  return catalog.status === 'ready' ? catalog.tasks.filter((t) => t.role === role) : [];
}
