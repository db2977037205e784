import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { UI_INVOKE_CHANNELS } from '../../../preload/contract.js';
import type { Logger } from '../../platform/logger.js';
import type { UiBridge } from '../../ui/ui-bridge.js';
import { APP_ORIGIN } from './app-protocol.js';

/**
 * Registers one handler per contract channel, each behind the sender check.
 *
 * Only windows this app created (their webContents ids are in `trusted`) and only frames showing the app's
 * own origin may call in; anything else is dropped and logged. The check lives here, once, so no handler
 * can forget it. Arguments are validated by the bridge.
 */
export function handleUiChannels(bridge: UiBridge, trusted: ReadonlySet<number>, logger: Logger): () => void {
  for (const channel of UI_INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      if (!isTrustedSender(event, trusted)) {
        logger.warn('ipc.untrusted_sender', { channel, sender: event.sender.id });
        return { ok: false, error: { code: 'UNTRUSTED_SENDER', message: 'Refused.' } };
      }
      return bridge.invoke(channel, args);
    });
  }
  return () => {
    for (const channel of UI_INVOKE_CHANNELS) {
      ipcMain.removeHandler(channel);
    }
  };
}

function isTrustedSender(event: IpcMainInvokeEvent, trusted: ReadonlySet<number>): boolean {
  const frameUrl = event.senderFrame?.url ?? '';
  return trusted.has(event.sender.id) && frameUrl.startsWith(`${APP_ORIGIN}/`);
}
