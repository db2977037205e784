/**
 * The one typed contract between the clinician's window and the core.
 *
 * Both hosts implement it: the Electron preload over IPC, and the headless host's bridge over a loopback
 * WebSocket. The renderer sees only `CompanionApi` on `window.companion` and cannot tell the two apart.
 * This file has no imports so that every side (Node, page, bundle) can include it as it is.
 */

export type EnvironmentName = 'sandbox' | 'int' | 'live' | 'custom';

export interface EnvironmentView {
  name: EnvironmentName;
  label: string;
  clinicalUse: boolean;
  /** A banner shown on every screen when the environment is not for clinical use. */
  notice: string | null;
}

export interface SessionView {
  signedIn: boolean;
  user: { uid: string; name: string; roleName: string } | null;
}

export interface PipeView {
  /** The socket path or pipe name prescribing systems connect to. */
  endpoint: string;
  /** Prescribing systems connected now. */
  connections: number;
}

/** Everything the window shows, pushed whenever it changes. The core owns it; the window only projects it. */
export interface AppSnapshot {
  product: { name: string; version: string };
  environment: EnvironmentView;
  session: SessionView;
  pipe: PipeView;
  /** Things an admin or clinician should know that do not stop the companion (policy notices). */
  notices: string[];
}

export interface UiError {
  code: string;
  message: string;
}

/** Every call returns a result; nothing is thrown across the boundary. */
export type UiResult<T> = { ok: true; value: T } | { ok: false; error: UiError };

/** Request/response channels: the arguments each takes and what it answers. */
export interface UiInvokeMap {
  'app.getSnapshot': { args: []; result: AppSnapshot };
}

/** Events the core pushes to the window. */
export interface UiEventMap {
  'app.snapshot': AppSnapshot;
}

export type UiInvokeChannel = keyof UiInvokeMap;
export type UiEventName = keyof UiEventMap;

export const UI_INVOKE_CHANNELS = ['app.getSnapshot'] as const satisfies readonly UiInvokeChannel[];
export const UI_EVENT_NAMES = ['app.snapshot'] as const satisfies readonly UiEventName[];

/** The IPC channel the Electron shell sends every pushed event on. */
export const UI_EVENT_CHANNEL = 'companion:event';

/** What the window may do: named actions, not a transport. */
export interface CompanionApi {
  getSnapshot: () => Promise<UiResult<AppSnapshot>>;
  /** Calls `listener` on every new snapshot; returns a function that stops it. */
  onSnapshot: (listener: (snapshot: AppSnapshot) => void) => () => void;
  /**
   * Calls `listener` if the window loses the core (the headless host stopped). A window must never keep
   * showing state that is no longer true. In Electron the window closes with the core, so it never fires.
   */
  onDisconnected: (listener: (error: UiError) => void) => () => void;
}
