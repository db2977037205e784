import { Menu, Tray, nativeImage } from 'electron';
import type { AppSnapshot } from '../../../preload/contract.js';
import { trayLines } from '../../ui/tray-lines.js';

export interface TrayActions {
  open(): void;
  quit(): void;
}

/**
 * The tray icon: who is signed in, which environment, whether the card is ready, and how to open the
 * window or quit.
 *
 * It is rebuilt from each snapshot, so it can never disagree with the window.
 */
export class TrayMenu {
  private readonly tray: Tray;

  constructor(
    iconPath: string,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(nativeImage.createFromPath(iconPath));
    this.tray.on('click', () => actions.open());
  }

  public show(snapshot: AppSnapshot): void {
    const { tooltip, lines } = trayLines(snapshot);
    this.tray.setToolTip(tooltip);
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Signing Companion', enabled: false },
        ...lines.map((label) => ({ label, enabled: false })),
        { type: 'separator' },
        { label: 'Open Signing Companion', click: () => this.actions.open() },
        { type: 'separator' },
        { label: 'Quit', click: () => this.actions.quit() },
      ]),
    );
  }

  public destroy(): void {
    this.tray.destroy();
  }
}
