import { Menu, Tray, nativeImage } from 'electron';
import type { AppSnapshot } from '../../../preload/contract.js';

export interface TrayActions {
  open(): void;
  quit(): void;
}

/**
 * The tray icon: who is signed in, which environment, and how to open the window or quit.
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
    const { environment, session, pipe } = snapshot;
    const environmentLine = environment.clinicalUse
      ? environment.label
      : `${environment.label.toUpperCase()}: not for clinical use`;
    this.tray.setToolTip(`Signing Companion (${environmentLine})`);
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Signing Companion', enabled: false },
        { label: environmentLine, enabled: false },
        { label: session.user ? `Signed in: ${session.user.name}` : 'Not signed in', enabled: false },
        {
          label: pipe.connections === 0 ? 'No prescribing systems connected' : `Prescribing systems: ${pipe.connections}`,
          enabled: false,
        },
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
