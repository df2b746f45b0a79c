import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import type { TaskData } from '../method/task-data';
import { buildUserTask, checkRows, guessMapping, taskIdFrom, type CheckedData, type ColumnMapping } from '../method/user-data';
import { decodeText, guessFormat, parseTable, type Table, type TableFormat } from '../method/user-table';
import { indexedDbStorage } from './idb-storage';
import { modelClient, useModelStore } from './model-store';
import { useTaskStore } from './tasks';

/**
 * The user's own data: the text they dropped or pasted, how it is read (format, header), which
 * columns mean what, and the checked rows. `userTask` is the TaskData built from the usable rows
 * whenever nothing blocks it: other stores (the pipeline's target, Compare) read it from here.
 * What the user gave (the text and how to read it) is kept in IndexedDB; the rest is rebuilt.
 */

interface DataState {
  /** File name, or null for pasted text. */
  fileName: string | null;
  text: string;
  validUtf8: boolean;
  format: TableFormat;
  hasHeader: boolean;
  table: Table | null;
  mapping: ColumnMapping | null;
  taskName: string;
  /** The few-shot k the checks warn about (classes with fewer training rows). */
  k: number;
  /** Seeds the train/validation/test split. */
  seed: number;
  /** The model's token count of each row's input; null until the worker has counted them. */
  tokenCounts: number[] | null;
  checked: CheckedData | null;
  userTask: TaskData | null;
  loadError: string | null;
  /** The input length training cuts at; the training store sets it (the model's default or the user's override). */
  maxInputTokens: number;
}

interface DataActions {
  loadFile(file: File): Promise<void>;
  loadText(text: string): void;
  setFormat(format: TableFormat): void;
  setHasHeader(hasHeader: boolean): void;
  setMapping(patch: Partial<ColumnMapping>): void;
  setTaskName(name: string): void;
  setK(k: number): void;
  setSeed(seed: number): void;
  clear(): void;
  /** Reads the text again as the stored settings say (after it came back from IndexedDB). */
  reread(): void;
  setMaxInputTokens(limit: number): void;
}

/** The part of the state that is kept across reloads. */
type StoredData = Pick<DataState, 'fileName' | 'text' | 'validUtf8' | 'format' | 'hasHeader' | 'mapping' | 'taskName' | 'k' | 'seed'>;

const MAX_BYTES = 20_000_000;
/** The input limit until a model is loaded (then the training store sends the model's). */
export const INPUT_LIMIT_WITHOUT_MODEL = 64;

/** What a new file or clear() starts from; the input limit belongs to the training settings and stays. */
const EMPTY: Omit<DataState, 'maxInputTokens'> = {
  fileName: null,
  text: '',
  validUtf8: true,
  format: 'csv',
  hasHeader: true,
  table: null,
  mapping: null,
  taskName: '',
  k: 16,
  seed: 1,
  tokenCounts: null,
  checked: null,
  userTask: null,
  loadError: null,
};

/** The user task's id: from its name, and never the id of a built-in task. */
function userTaskId(name: string): string {
  const id = taskIdFrom(name);
  const catalog = useTaskStore.getState().catalog;
  return catalog.status === 'ready' && catalog.tasks.some((t) => t.id === id) ? `${id}-data` : id;
}

export const useDataStore = create<DataState & DataActions>()(
  persist(
    (set, get) => {
      /** Re-runs the row checks and rebuilds the task from the current state. */
      const recheck = () => {
        const { table, mapping, k, seed, tokenCounts, taskName, maxInputTokens } = get();
        if (!table || !mapping) return set({ checked: null, userTask: null });
        const checked = checkRows(table, mapping, { k, seed, maxInputTokens, tokenCounts });
        set({ checked, userTask: checked.blocker ? null : buildUserTask(checked, mapping.kind, userTaskId(taskName)) });
      };

      /** Asks the worker for real token counts of the input column; the estimate stands until then. */
      const countTokens = async () => {
        const { table, mapping } = get();
        const client = modelClient();
        if (!table || !mapping || !client || !useModelStore.getState().model) return;
        const inputs = table.rows.map((r) => (r.values[mapping.input] ?? '').trim());
        try {
          const counts = await client.countTokens(inputs);
          if (get().table === table && get().mapping?.input === mapping.input) {
            set({ tokenCounts: counts });
            recheck();
          }
        } catch {
          // No model in this worker (yet): the estimate from characters stays, and says so.
        }
      };

      /** Parses the text as the format and header say, keeping the mapping when the columns stay (or when it was stored with the text). */
      const reparse = (keepMapping = false) => {
        const { text, format, hasHeader, mapping, table: previous } = get();
        const table = parseTable(text, format, hasHeader);
        const sameColumns = previous !== null && previous.columns.join('\u0000') === table.columns.join('\u0000');
        set({ table, mapping: (keepMapping || sameColumns) && mapping ? mapping : guessMapping(table.columns), tokenCounts: null });
        recheck();
        void countTokens();
      };

      const load = (text: string, fileName: string | null, validUtf8: boolean) => {
        set({
          ...EMPTY,
          k: get().k,
          seed: get().seed,
          text,
          fileName,
          validUtf8,
          format: guessFormat(text, fileName ?? undefined),
          taskName: fileName?.replace(/\.\w+$/, '') ?? 'your data',
        });
        reparse();
      };

      // A newly loaded model brings its own tokenizer and maybe another input limit.
      useModelStore.subscribe((state, previous) => {
        if (state.model !== previous.model) {
          set({ tokenCounts: null });
          recheck();
          void countTokens();
        }
      });
      // The task's id must differ from every built-in task's, which are known once the catalog is.
      useTaskStore.subscribe((state, previous) => state.catalog !== previous.catalog && recheck());

      return {
        ...EMPTY,
        maxInputTokens: INPUT_LIMIT_WITHOUT_MODEL,

        async loadFile(file) {
          if (file.size > MAX_BYTES) {
            set({ loadError: `${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the page reads files up to ${MAX_BYTES / 1e6} MB.` });
            return;
          }
          const { text, validUtf8 } = decodeText(new Uint8Array(await file.arrayBuffer()));
          load(text, file.name, validUtf8);
        },
        loadText: (text) => load(text, null, true),
        setFormat(format) {
          set({ format });
          reparse();
        },
        setHasHeader(hasHeader) {
          set({ hasHeader });
          reparse();
        },
        setMapping(patch) {
          const { mapping } = get();
          if (!mapping) return;
          const next = { ...mapping, ...patch };
          set({ mapping: next, tokenCounts: next.input === mapping.input ? get().tokenCounts : null });
          recheck();
          if (next.input !== mapping.input) void countTokens();
        },
        setTaskName(taskName) {
          set({ taskName });
          recheck();
        },
        setK(k) {
          set({ k });
          recheck();
        },
        setSeed(seed) {
          set({ seed });
          recheck();
        },
        clear: () => set({ ...EMPTY, k: get().k, seed: get().seed }),
        reread() {
          if (get().text !== '') reparse(true);
        },
        setMaxInputTokens(maxInputTokens) {
          if (maxInputTokens === get().maxInputTokens) return;
          set({ maxInputTokens });
          recheck();
        },
      };
    },
    {
      name: 'your-data',
      version: 1,
      storage: indexedDbStorage<StoredData>('mpt-playground-session'),
      partialize: (s): StoredData => ({
        fileName: s.fileName,
        text: s.text,
        validUtf8: s.validUtf8,
        format: s.format,
        hasHeader: s.hasHeader,
        mapping: s.mapping,
        taskName: s.taskName,
        k: s.k,
        seed: s.seed,
      }),
      onRehydrateStorage: () => (state) => state?.reread(),
    },
  ),
);
