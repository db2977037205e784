import { type BrowserWindow, app } from 'electron';
import { UI_EVENT_CHANNEL, type AppSnapshot } from '../../../preload/contract.js';
import type { Logger } from '../../platform/logger.js';
import { needsAttention } from '../../ui/attention.js';
import type { UiBridge } from '../../ui/ui-bridge.js';
import type { UiSurface } from '../../ui/ui-surface.js';
import { APP_ORIGIN } from './app-protocol.js';
import { handleUiChannels } from './ipc-main.js';
import { TrayMenu } from './tray-menu.js';
import { createHardenedWindow } from './window-factory.js';

export interface ElectronUiOptions {
  preload: string;
  trayIcon: string;
  logger: Logger;
}

/** The Electron host's window and tray, as the core sees them: a UiSurface like any other. */
export class ElectronUi implements UiSurface {
  public readonly url = null;
  private readonly trusted = new Set<number>();
  private window: BrowserWindow | null = null;
  private undo: (() => void)[] = [];

  constructor(private readonly options: ElectronUiOptions) {}

  public start(bridge: UiBridge): Promise<void> {
    this.undo.push(handleUiChannels(bridge, this.trusted, this.options.logger));
    const tray = new TrayMenu(this.options.trayIcon, { open: () => this.open(), quit: () => app.quit() });
    this.undo.push(() => tray.destroy());
    let previous: AppSnapshot | null = null;
    this.undo.push(
      bridge.subscribe((event, payload) => {
        if (event === 'app.snapshot') {
          tray.show(payload);
          if (needsAttention(previous, payload)) {
            this.open();
          }
          previous = payload;
        }
        const contents = this.window?.webContents;
        if (contents && !contents.isDestroyed()) {
          contents.send(UI_EVENT_CHANNEL, event, payload);
        }
      }),
    );
    void bridge.invoke('app.getSnapshot', []).then((result) => {
      if (result.ok) {
        tray.show(result.value as Parameters<TrayMenu['show']>[0]);
      }
    });
    this.open();
    return Promise.resolve();
  }

  public stop(): Promise<void> {
    for (let step = this.undo.pop(); step; step = this.undo.pop()) {
      step();
    }
    this.window?.destroy();
    this.window = null;
    return Promise.resolve();
  }

  /** Shows the window, creating it the first time or after the clinician closed it. */
  public open(): void {
    if (this.window && !this.window.isDestroyed()) {
      this.window.show();
      this.window.focus();
      return;
    }
    const window = createHardenedWindow({
      preload: this.options.preload,
      title: 'Signing Companion',
      width: 920,
      height: 720,
    });
    const id = window.webContents.id;
    this.trusted.add(id);
    window.on('closed', () => {
      this.trusted.delete(id);
      this.window = null;
    });
    this.window = window;
    void window.loadURL(`${APP_ORIGIN}/index.html`);
  }
}
