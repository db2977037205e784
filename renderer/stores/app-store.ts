import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppSnapshot, CompanionApi, UiError } from '../../preload/contract';

/**
 * The window's projection of the core's state.
 *
 * The core owns the truth and pushes snapshots; this store only holds the latest one and how the
 * connection is going. Nothing here is ever sent back as state.
 */
export interface AppStoreState {
  status: 'connecting' | 'ready' | 'failed';
  snapshot: AppSnapshot | null;
  error: UiError | null;
  /** Loads the first snapshot and follows every later one; returns a function that stops following. */
  connect: () => () => void;
  /** The clinician's answer to a pairing prompt. The core updates the state; nothing changes here. */
  answerPairing: (promptId: string, approve: boolean) => void;
  revokePairing: (clientId: string) => void;
}

export type AppStore = StoreApi<AppStoreState>;

export function createAppStore(api: CompanionApi): AppStore {
  return createStore<AppStoreState>()((set) => ({
    status: 'connecting',
    snapshot: null,
    error: null,
    connect: () => {
      const stopSnapshots = api.onSnapshot((snapshot) => set({ status: 'ready', snapshot, error: null }));
      // A window that lost the core must stop showing its last state as if it were current.
      const stopDisconnects = api.onDisconnected((error) => set({ status: 'failed', snapshot: null, error }));
      void api.getSnapshot().then((result) => {
        if (result.ok) {
          set({ status: 'ready', snapshot: result.value, error: null });
        } else {
          set({ status: 'failed', error: result.error });
        }
      });
      return () => {
        stopSnapshots();
        stopDisconnects();
      };
    },
    answerPairing: (promptId, approve) => {
      void api.respondToPairing(promptId, approve);
    },
    revokePairing: (clientId) => {
      void api.revokePairing(clientId);
    },
  }));
}
