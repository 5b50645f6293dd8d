/**
 * Whether the API answers: 'unavailable' after SERVICE_UNAVAILABLE (the API is up, its database is not),
 * 'unreachable' after a network failure. Every answer that is not SERVICE_UNAVAILABLE sets it back to 'ok'.
 */
export type ConnectionState = 'ok' | 'unavailable' | 'unreachable';

export interface ConnectionStatus {
  get(): ConnectionState;
  set(state: ConnectionState): void;
  subscribe(listener: () => void): () => void;
}

export function createConnectionStatus(): ConnectionStatus {
  let state: ConnectionState = 'ok';
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(next) {
      if (next === state) return;
      state = next;
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
