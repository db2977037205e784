import path from 'node:path';
import { app, dialog } from 'electron';
import { Companion } from '../../app.js';
import { describeError } from '../../errors.js';
import { loadPolicy } from '../../policy/policy-loader.js';
import { resolveLocations } from '../../platform/locations.js';
import { createFileLogger } from '../../platform/logger.js';
import { builtAssets, findPackageRoot } from '../../platform/package-root.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { ElectronUi } from './electron-ui.js';
import { denyAllPermissions, hardenAllWebContents } from './web-contents-security.js';
import { readWindowsIdentity } from '../../platform/windows-identity.js';
import { openSecretStore } from '../../platform/open-secret-store.js';

/**
 * The Electron shell: a thin adapter that lends the core a tray and windows.
 *
 * Everything else (policy, pipe server, state) is the same `Companion` the headless host runs. The pipe
 * server's own endpoint check keeps one companion per user session; Electron's single-instance lock
 * additionally brings the running one's window forward.
 */
registerAppScheme();
hardenAllWebContents();
// Installed first, so a signal during start-up still goes through the orderly quit below.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => app.quit());
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void run();
}

async function run(): Promise<void> {
  await app.whenReady();
  denyAllPermissions();
  const assets = builtAssets();
  serveRenderer(assets.rendererDir);

  const locations = resolveLocations({ env: process.env, platform: process.platform, homedir: app.getPath('home') });
  let companion: Companion | null = null;
  try {
    const policy = await loadPolicy(locations.policyFile);
    const logger = createFileLogger({ logDir: locations.logDir });
    const secrets = await openSecretStore({ home: locations.home, logger });
    const ui = new ElectronUi({
      preload: assets.electronPreload,
      trayIcon: path.join(findPackageRoot(), 'assets', 'tray-icon.png'),
      logger,
    });
    const windowsIdentity = process.platform === 'win32' ? await readWindowsIdentity(process.pid) : undefined;
    companion = new Companion({ locations, policy, platform: process.platform, pid: process.pid, ...(windowsIdentity ? { windowsIdentity } : {}) }, { ui, logger, secrets });
    await companion.start();
    app.on('second-instance', () => ui.open());
  } catch (err) {
    process.stderr.write(`Signing Companion cannot start: ${String(err)}\n`);
    dialog.showErrorBox('Signing Companion cannot start', describeError(err).message);
    app.exit(1);
    return;
  }

  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => undefined);

  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped || !companion) {
      return;
    }
    event.preventDefault();
    void companion.stop().finally(() => {
      stopped = true;
      app.quit();
    });
  });
}
