import { create } from 'zustand';
import type { BackendChoice, BackendPreference } from '../model/backend';
import type { DownloadProgress, ModelSource } from '../model/sources';
import { createModelClient, type GenerationResult, type ModelClient, type ModelSummary } from '../worker/model-client';
import { fetchBundledModels, type BundledModels } from './bundled-models';
import { describeSource } from './model-source';

export type { BackendPreference };
type ModelStatus = 'idle' | 'loading' | 'ready' | 'error';

interface ModelState {
  bundled: BundledModels;

  backendPreference: BackendPreference;
  /** The backend the worker runs on; null while it starts. */
  backend: BackendChoice | null;
  /** Set when the worker died or lost its GPU: the page offers a restart. */
  workerProblem: string | null;

  /** Status of the latest load; after a failed load a previous `model` stays usable. */
  status: ModelStatus;
  loadError: string | null;
  /** Download progress of the latest load, one entry per file in the order they started. */
  progress: DownloadProgress[];
  model: ModelSummary | null;
  /** Where `model` came from. */
  modelName: string | null;

  generating: boolean;
  generation: GenerationResult | null;
  generationError: string | null;
}

interface ModelActions {
  /** Called once at startup: looks for bundled models and starts the worker. */
  start(): void;
  setBackendPreference(preference: BackendPreference): Promise<void>;
  /** A fresh worker on the preferred backend, reloading the model that was loaded. */
  restartWorker(): Promise<void>;
  loadModel(source: ModelSource): Promise<void>;
  generate(text: string, maxNewTokens: number): Promise<void>;
}

// The worker client is not state the UI renders, so it lives beside the store. Every action
// checks it is still talking to the same client before writing: a restart makes old answers stale.
let client: ModelClient | null = null;
// Kept to reload the model into a restarted worker (local File objects can be sent again).
let loadedSource: ModelSource | null = null;

/** The current worker, for other stores that talk to it (training); null before start(). */
export const modelClient = (): ModelClient | null => client;

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

function withProgress(list: DownloadProgress[], update: DownloadProgress): DownloadProgress[] {
  const index = list.findIndex((p) => p.file === update.file);
  return index < 0 ? [...list, update] : list.map((p, i) => (i === index ? update : p));
}

export const useModelStore = create<ModelState & ModelActions>()((set, get) => ({
  bundled: { status: 'checking' },
  backendPreference: 'auto',
  backend: null,
  workerProblem: null,
  status: 'idle',
  loadError: null,
  progress: [],
  model: null,
  modelName: null,
  generating: false,
  generation: null,
  generationError: null,

  start() {
    void fetchBundledModels().then((bundled) => set({ bundled }));
    void get().restartWorker();
  },

  async setBackendPreference(backendPreference) {
    set({ backendPreference });
    await get().restartWorker();
  },

  async restartWorker() {
    client?.terminate();
    const current: ModelClient = createModelClient((message) => {
      if (client === current) set({ workerProblem: `The worker failed: ${message}.` });
    });
    client = current;
    // The new worker holds no model yet (the loaded one is reloaded below), and results timed on
    // the old backend would mislead.
    set({
      backend: null,
      workerProblem: null,
      status: 'idle',
      progress: [],
      model: null,
      generating: false,
      generation: null,
      generationError: null,
    });
    try {
      const backend = await current.init(get().backendPreference, (message) => {
        if (client === current) set({ workerProblem: `${message}.` });
      });
      if (client !== current) return;
      set({ backend });
    } catch (e) {
      if (client === current) set({ workerProblem: `The backend could not start: ${errorMessage(e)}.` });
      return;
    }
    if (loadedSource) await get().loadModel(loadedSource);
  },

  async loadModel(source) {
    const current = client;
    if (!current) return;
    set({ status: 'loading', loadError: null, progress: [] });
    try {
      const model = await current.load(source, (update) => {
        if (client === current) set((s) => ({ progress: withProgress(s.progress, update) }));
      });
      if (client !== current) return;
      loadedSource = source;
      // Output of the previous model would be taken for this one's.
      set({ status: 'ready', model, modelName: describeSource(source), generation: null, generationError: null });
    } catch (e) {
      if (client === current) set({ status: 'error', loadError: errorMessage(e) });
    }
  },

  async generate(text, maxNewTokens) {
    const current = client;
    if (!current) return;
    set({ generating: true, generation: null, generationError: null });
    try {
      const generation = await current.generate(text, maxNewTokens);
      if (client === current) set({ generating: false, generation });
    } catch (e) {
      if (client === current) set({ generating: false, generationError: errorMessage(e) });
    }
  },
}));
