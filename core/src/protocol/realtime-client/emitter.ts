/**
 * A small typed event emitter: the client runs in browsers, so Node's 'events' is out, and
 * EventTarget would cost a CustomEvent per emission and lose the payload types.
 *
 * A listener that throws does not stop the others or the client's own bookkeeping: its error goes
 * to `onListenerError`, which by default rethrows it from a fresh microtask, the way the DOM
 * reports an exception thrown by an event listener (to window.onerror, or Node's
 * uncaughtException) instead of swallowing an application bug.
 */

export type Listener<T> = (event: T) => void;

export interface Emitter<Events extends object> {
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void;
  off<K extends keyof Events>(name: K, listener: Listener<Events[K]>): void;
  emit<K extends keyof Events>(name: K, event: Events[K]): void;
  /** Removes every listener. */
  clear(): void;
}

export type ListenerErrorHandler = (error: unknown, event: string) => void;

export const rethrowLater: ListenerErrorHandler = (error) => {
  queueMicrotask(() => {
    throw error;
  });
};

export function createEmitter<Events extends object>(
  onListenerError: ListenerErrorHandler = rethrowLater,
): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<Listener<never>>>();
  const off: Emitter<Events>['off'] = (name, listener) => {
    listeners.get(name)?.delete(listener as Listener<never>);
  };
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (set === undefined) listeners.set(name, (set = new Set()));
      set.add(listener as Listener<never>);
      return () => off(name, listener);
    },
    off,
    emit(name, event) {
      const set = listeners.get(name);
      if (set === undefined) return;
      // A snapshot: a listener may remove itself or add another while this event is delivered.
      for (const listener of [...set] as Listener<typeof event>[]) {
        try {
          listener(event);
        } catch (error) {
          onListenerError(error, String(name));
        }
      }
    },
    clear() {
      listeners.clear();
    },
  };
}
