import { app, BrowserWindow } from 'electron';

export interface WindowOptions {
  preload: string;
  title: string;
  width: number;
  height: number;
}

/**
 * The one way this app creates a window.
 *
 * Sandboxed renderer, context isolation, no Node, no webviews, DevTools only in development, and content
 * protection so a prescription on screen is not captured by other apps' screenshots.
 */
export function createHardenedWindow({ preload, title, width, height }: WindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    title,
    width,
    height,
    minWidth: 480,
    minHeight: 400,
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      devTools: !app.isPackaged,
    },
  });
  window.setContentProtection(true);
  window.removeMenu();
  window.once('ready-to-show', () => window.show());
  return window;
}
