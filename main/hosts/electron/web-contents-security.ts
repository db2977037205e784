import { app, session } from 'electron';
import { APP_ORIGIN } from './app-protocol.js';

/**
 * Rules for every web page the app ever creates, applied once, globally.
 *
 * No page may open windows, navigate away from the app's own origin, attach webviews, or be granted any
 * permission (camera, notifications, …). See the Electron security checklist, items 4, 13, 14 and 5.
 */
export function hardenAllWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) {
        event.preventDefault();
      }
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  app.on('certificate-error', (event, _contents, _url, _error, _certificate, callback) => {
    event.preventDefault();
    callback(false);
  });
}

/** Call after ready: the default session denies every permission request and check. */
export function denyAllPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}
