import { createCompanionApi, type UiTransport } from './api';
import type { UiError, UiEventName, UiResult } from './contract';

/**
 * The headless host's stand-in for the Electron preload: `window.companion` over a loopback WebSocket.
 *
 * The page was served from `/s/<token>/`, so the socket is opened relative to it and carries the same
 * token. If the companion stops, every pending call resolves with a DISCONNECTED error.
 */
interface Pending {
  resolve(result: UiResult<never>): void;
}

const pending = new Map<number, Pending>();
const listeners = new Map<UiEventName, Set<(payload: never) => void>>();
const disconnectListeners = new Set<(error: UiError) => void>();
let nextId = 1;

const socketUrl = new URL('bridge', window.location.href);
socketUrl.protocol = 'ws:';
const socket = new WebSocket(socketUrl);
const opened = new Promise<boolean>((resolve) => {
  socket.addEventListener('open', () => resolve(true));
  socket.addEventListener('close', () => resolve(false));
});

const DISCONNECTED_ERROR: UiError = {
  code: 'DISCONNECTED',
  message: 'Signing Companion has stopped. Start it again, then reload this page.',
};
const DISCONNECTED = { ok: false, error: DISCONNECTED_ERROR } as const;

socket.addEventListener('message', (event: MessageEvent<string>) => {
  const message = JSON.parse(event.data) as
    | { t: 'result'; id: number; result: UiResult<never> }
    | { t: 'event'; event: UiEventName; payload: never };
  if (message.t === 'result') {
    pending.get(message.id)?.resolve(message.result);
    pending.delete(message.id);
  } else {
    for (const listener of listeners.get(message.event) ?? []) {
      listener(message.payload);
    }
  }
});

socket.addEventListener('close', () => {
  for (const call of pending.values()) {
    call.resolve(DISCONNECTED);
  }
  pending.clear();
  for (const listener of disconnectListeners) {
    listener(DISCONNECTED_ERROR);
  }
});

const transport: UiTransport = {
  invoke: async (channel, args) => {
    if (!(await opened)) {
      return DISCONNECTED;
    }
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, { resolve: resolve });
      socket.send(JSON.stringify({ t: 'invoke', id, channel, args }));
    });
  },
  on: (event, listener) => {
    const set = listeners.get(event) ?? new Set();
    set.add(listener);
    listeners.set(event, set);
    return () => {
      set.delete(listener);
    };
  },
  onDisconnected: (listener) => {
    disconnectListeners.add(listener);
    return () => {
      disconnectListeners.delete(listener);
    };
  },
};

Object.defineProperty(window, 'companion', { value: createCompanionApi(transport), writable: false });
