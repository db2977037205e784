import os from 'node:os';
import { Companion } from '../../app.js';
import { loadPolicy } from '../../policy/policy-loader.js';
import { resolveLocations } from '../../platform/locations.js';
import { createFileLogger } from '../../platform/logger.js';
import { builtAssets } from '../../platform/package-root.js';
import { LoopbackUiServer } from './loopback-ui-server.js';
import { readWindowsIdentity } from '../../platform/windows-identity.js';
import { openSecretStore } from '../../platform/open-secret-store.js';

export interface HeadlessOptions {
  env?: NodeJS.ProcessEnv;
  port?: number;
}

export interface HeadlessRun {
  companion: Companion;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * The headless host: the same core as the tray app, with the window served to a browser on loopback.
 *
 * It is how machines without a desktop (CI, this kind of server) run the product, and what the browser
 * end-to-end tests drive.
 */
export async function startHeadless({ env = process.env, port }: HeadlessOptions = {}): Promise<HeadlessRun> {
  const locations = resolveLocations({ env, platform: process.platform, homedir: os.homedir() });
  const policy = await loadPolicy(locations.policyFile);
  const logger = createFileLogger({ logDir: locations.logDir });
  // Never fails for want of a keyring: it falls back to a 0600 file and logs why.
  const secrets = await openSecretStore({ home: locations.home, logger });
  const assets = builtAssets();
  const ui = new LoopbackUiServer({
    rendererDir: assets.rendererDir,
    bridgeScript: assets.websocketBridge,
    logger,
    ...(port === undefined ? {} : { port }),
  });
  const windowsIdentity = process.platform === 'win32' ? await readWindowsIdentity(process.pid) : undefined;
  const companion = new Companion({ locations, policy, platform: process.platform, pid: process.pid, ...(windowsIdentity ? { windowsIdentity } : {}) }, { ui, logger, secrets });
  try {
    await companion.start();
  } catch (err) {
    await logger.close();
    throw err;
  }
  return {
    companion,
    uiUrl: ui.url ?? '',
    stop: async () => {
      await companion.stop();
      await logger.close();
    },
  };
}
