import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { PipelineCheckpoint } from '../method/pipeline';

/**
 * Training checkpoints in IndexedDB, so a reload continues where training was. Float32Arrays
 * are stored as they are (IndexedDB clones typed arrays), one record per run id.
 */

export interface SavedRun {
  runId: string;
  savedAt: number;
  /** The step reached in the stage in progress (0 between stages). */
  step: number;
  checkpoint: PipelineCheckpoint;
}

interface CheckpointSchema extends DBSchema {
  runs: { key: string; value: SavedRun };
}

const DB_NAME = 'mpt-playground';
let db: Promise<IDBPDatabase<CheckpointSchema>> | undefined;

function open(): Promise<IDBPDatabase<CheckpointSchema>> {
  db ??= openDB<CheckpointSchema>(DB_NAME, 1, {
    upgrade(database) {
      database.createObjectStore('runs', { keyPath: 'runId' });
    },
  });
  return db;
}

export async function saveRun(runId: string, checkpoint: PipelineCheckpoint): Promise<void> {
  const step = checkpoint.stageState?.optimizer.step ?? 0;
  await (await open()).put('runs', { runId, savedAt: Date.now(), step, checkpoint });
}

export async function loadRun(runId: string): Promise<SavedRun | undefined> {
  return (await open()).get('runs', runId);
}

export async function deleteRun(runId: string): Promise<void> {
  await (await open()).delete('runs', runId);
}
