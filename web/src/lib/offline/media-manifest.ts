import type { CacheRecord } from './cache-budget.ts';

/**
 * The media cache's bookkeeping in IndexedDB: one record per cached response (size, last use,
 * episode) and the settings the worker enforces (the cap). The Cache API cannot report sizes or
 * last use, and a worker may be stopped at any moment, so these live where they survive it.
 */
export interface MediaManifest {
  all(): Promise<CacheRecord[]>;
  put(record: CacheRecord): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  clear(): Promise<void>;
  /** Sets lastUsed if the record still exists (an eviction may have raced the read). */
  touch(key: string, at: number): Promise<void>;
  getCap(): Promise<number | null>;
  setCap(bytes: number): Promise<void>;
}

const version = 1;
const entries = 'entries';
const settings = 'settings';

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () =>
      reject(transaction.error ?? new Error('IndexedDB transaction failed'));
    transaction.onabort = () =>
      reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export function openMediaManifest(factory: IDBFactory, name = 'binge-offline'): MediaManifest {
  let opened: Promise<IDBDatabase> | null = null;

  function database(): Promise<IDBDatabase> {
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(name, version);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(entries))
          db.createObjectStore(entries, { keyPath: 'key' });
        if (!db.objectStoreNames.contains(settings)) db.createObjectStore(settings);
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another context upgrading or deleting the database: let go so it can, reopen next time.
        db.onversionchange = () => {
          db.close();
          opened = null;
        };
        resolve(db);
      };
      request.onerror = () => {
        opened = null;
        reject(request.error ?? new Error('IndexedDB open failed'));
      };
    });
    return opened;
  }

  async function write(store: string, work: (objects: IDBObjectStore) => void): Promise<void> {
    const transaction = (await database()).transaction(store, 'readwrite');
    const finished = committed(transaction);
    work(transaction.objectStore(store));
    await finished;
  }

  return {
    async all() {
      const db = await database();
      return done(
        db.transaction(entries).objectStore(entries).getAll() as IDBRequest<CacheRecord[]>,
      );
    },
    put: (record) => write(entries, (objects) => objects.put(record)),
    delete: (keys) =>
      keys.length === 0
        ? Promise.resolve()
        : write(entries, (objects) => keys.forEach((key) => objects.delete(key))),
    clear: () => write(entries, (objects) => objects.clear()),
    touch: (key, at) =>
      write(entries, (objects) => {
        const request = objects.get(key) as IDBRequest<CacheRecord | undefined>;
        request.onsuccess = () => {
          if (request.result) objects.put({ ...request.result, lastUsed: at });
        };
      }),
    async getCap() {
      const db = await database();
      const value = await done(db.transaction(settings).objectStore(settings).get('capBytes'));
      return typeof value === 'number' ? value : null;
    },
    setCap: (bytes) => write(settings, (objects) => objects.put(bytes, 'capBytes')),
  };
}
