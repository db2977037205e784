import type {
  AppSnapshot,
  CompanionApi,
  UiEventMap,
  UiError,
  UiEventName,
  UiInvokeChannel,
  UiInvokeMap,
  UiResult,
} from './contract';

/** How a host carries calls and events between the page and the core. */
export interface UiTransport {
  invoke: <C extends UiInvokeChannel>(
    channel: C,
    args: UiInvokeMap[C]['args'],
  ) => Promise<UiResult<UiInvokeMap[C]['result']>>;
  on: <E extends UiEventName>(event: E, listener: (payload: UiEventMap[E]) => void) => () => void;
  onDisconnected: (listener: (error: UiError) => void) => () => void;
}

/**
 * The named actions the window gets, built on whichever transport the host provides.
 *
 * Both the Electron preload and the headless bridge expose exactly this object as `window.companion`.
 */
export function createCompanionApi(transport: UiTransport): CompanionApi {
  return {
    getSnapshot: () => transport.invoke('app.getSnapshot', []),
    onSnapshot: (listener: (snapshot: AppSnapshot) => void) => transport.on('app.snapshot', listener),
    onDisconnected: (listener: (error: UiError) => void) => transport.onDisconnected(listener),
    respondToPairing: (promptId: string, approve: boolean) => transport.invoke('pairing.respond', [promptId, approve]),
    revokePairing: (clientId: string) => transport.invoke('pairing.revoke', [clientId]),
    respondToSigning: (confirmationId, answer) => transport.invoke('signing.respond', [confirmationId, answer]),
    signIn: () => transport.invoke('session.signIn', []),
    cancelSignIn: () => transport.invoke('session.cancelSignIn', []),
    signOut: () => transport.invoke('session.signOut', []),
  };
}
