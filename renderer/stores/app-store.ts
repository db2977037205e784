import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppSnapshot, CompanionApi, ConfirmationAnswer, UiError } from '../../preload/contract';

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
  /**
   * The clinician's answer to a confirmation. The passcode passes straight through to the core and is
   * never kept in this store.
   */
  answerSigning: (confirmationId: string, answer: ConfirmationAnswer) => void;
  signIn: () => void;
  cancelSignIn: () => void;
  signOut: () => void;
  /** The last action the core refused, to show once (a sign-in that failed). */
  actionError: UiError | null;
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
    answerSigning: (confirmationId, answer) => {
      void api.respondToSigning(confirmationId, answer);
    },
    signIn: () => {
      void api.signIn().then((result) => set({ actionError: result.ok ? null : result.error }));
    },
    cancelSignIn: () => {
      void api.cancelSignIn();
    },
    signOut: () => {
      void api.signOut();
    },
    actionError: null,
  }));
}
