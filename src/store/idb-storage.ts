import { openDB, type IDBPDatabase } from 'idb';
import type { PersistStorage, StorageValue } from 'zustand/middleware';

/**
 * A zustand persist storage in IndexedDB. Values are stored as structured clones, not JSON, so
 * Float32Arrays stay typed arrays. Writes are coalesced: during training the state changes
 * several times a second, and only the latest value within `delayMs` is written; a page that
 * goes away (reload, closed tab) writes what is pending at once (the browser does not wait for
 * it), and flushPendingWrites writes it when it must not be lost.
 */
const flushers = new Set<() => Promise<void>>();

export async function flushPendingWrites(): Promise<void> {
  await Promise.all([...flushers].map((flush) => flush()));
}

export function indexedDbStorage<S>(dbName: string, delayMs = 300): PersistStorage<S> {
  let db: Promise<IDBPDatabase> | undefined;
  const open = () =>
    (db ??= openDB(dbName, 1, {
      upgrade(database) {
        database.createObjectStore('state');
      },
    }));
  const pending = new Map<string, StorageValue<S>>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = async () => {
    clearTimeout(timer);
    timer = undefined;
    const entries = [...pending];
    pending.clear();
    const database = await open();
    for (const [name, value] of entries) await database.put('state', value, name);
  };

  flushers.add(flush);
  window.addEventListener('pagehide', () => timer !== undefined && void flush());

  return {
    async getItem(name) {
      return ((await (await open()).get('state', name)) as StorageValue<S> | undefined) ?? null;
    },
    setItem(name, value) {
      pending.set(name, value);
      timer ??= setTimeout(() => void flush(), delayMs);
    },
    async removeItem(name) {
      pending.delete(name);
      await (await open()).delete('state', name);
    },
  };
}
