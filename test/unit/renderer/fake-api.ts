import type { AppSnapshot, CompanionApi, ConfirmationAnswer, UiError, UiResult } from '../../../preload/contract';

export { sandboxSnapshot } from '../../support/snapshots.js';

/** A CompanionApi whose answers and pushes the test controls, as either host would deliver them. */
export function fakeApi(first: UiResult<AppSnapshot>) {
  const listeners = new Set<(snapshot: AppSnapshot) => void>();
  const disconnectListeners = new Set<(error: UiError) => void>();
  const answers: [string, boolean][] = [];
  const revoked: string[] = [];
  const signingAnswers: [string, ConfirmationAnswer][] = [];
  const sessionCalls: string[] = [];
  const api: CompanionApi = {
    getSnapshot: () => Promise.resolve(first),
    onSnapshot: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    respondToPairing: (promptId, approve) => {
      answers.push([promptId, approve]);
      return Promise.resolve({ ok: true, value: true });
    },
    revokePairing: (clientId) => {
      revoked.push(clientId);
      return Promise.resolve({ ok: true, value: true });
    },
    respondToSigning: (confirmationId, answer) => {
      signingAnswers.push([confirmationId, answer]);
      return Promise.resolve({ ok: true, value: true });
    },
    signIn: () => {
      sessionCalls.push('signIn');
      return Promise.resolve({ ok: true, value: true });
    },
    cancelSignIn: () => {
      sessionCalls.push('cancelSignIn');
      return Promise.resolve({ ok: true, value: true });
    },
    signOut: () => {
      sessionCalls.push('signOut');
      return Promise.resolve({ ok: true, value: true });
    },
    onDisconnected: (listener) => {
      disconnectListeners.add(listener);
      return () => disconnectListeners.delete(listener);
    },
  };
  return {
    api,
    push: (snapshot: AppSnapshot) => listeners.forEach((listener) => listener(snapshot)),
    answers,
    revoked,
    signingAnswers,
    sessionCalls,
    disconnect: (error: UiError) => disconnectListeners.forEach((listener) => listener(error)),
    listenerCount: () => listeners.size + disconnectListeners.size,
  };
}
