import { contextBridge, ipcRenderer } from 'electron';
import { createCompanionApi, type UiTransport } from './api';
import { UI_EVENT_CHANNEL, UI_EVENT_NAMES, UI_INVOKE_CHANNELS, type UiEventName, type UiResult } from './contract';

/**
 * The Electron preload: exposes `window.companion` and nothing else.
 *
 * It runs sandboxed, so it is bundled into one file. Only channels named in the contract are ever sent, and
 * the page never receives ipcRenderer itself (see the Electron security checklist, "context isolation").
 */
const transport: UiTransport = {
  invoke: (channel, args) => {
    if (!(UI_INVOKE_CHANNELS as readonly string[]).includes(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown action.' } });
    }
    return ipcRenderer.invoke(channel, ...args) as Promise<UiResult<never>>;
  },
  on: (event, listener) => {
    const handler = (_e: unknown, name: UiEventName, payload: unknown) => {
      if (name === event && (UI_EVENT_NAMES as readonly string[]).includes(name)) {
        listener(payload as never);
      }
    };
    ipcRenderer.on(UI_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(UI_EVENT_CHANNEL, handler);
    };
  },
  // The window is closed by the same process that runs the core; it cannot outlive it.
  onDisconnected: () => () => undefined,
};

contextBridge.exposeInMainWorld('companion', createCompanionApi(transport));
