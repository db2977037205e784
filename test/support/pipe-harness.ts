import os from 'node:os';
import { Companion } from '../../main/app.js';
import type { Policy } from '../../main/policy/policy-schema.js';
import { resolveLocations } from '../../main/platform/locations.js';
import { createMemoryLogger } from '../../main/platform/logger.js';
import { openSecretStore } from '../../main/platform/open-secret-store.js';
import type { SigningServiceOptions } from '../../main/signing/signing-service.js';
import type { UiSurface } from '../../main/ui/ui-surface.js';
import { createTempHome, type TempHome } from './temp-home.js';

/** A companion with no window, listening on a real socket in its own home: the pipe as suppliers meet it. */
export interface PipeHarness {
  companion: Companion;
  endpoint: string;
  home: TempHome;
  stop(): Promise<void>;
}

const noWindow: UiSurface = { url: null, start: () => Promise.resolve(), stop: () => Promise.resolve() };

export async function startPipeHarness(policy: Partial<Policy> = {}, frameTimeoutMs = 1000, signing?: SigningServiceOptions): Promise<PipeHarness> {
  const home = await createTempHome();
  const locations = resolveLocations({ env: home.env, platform: process.platform, homedir: os.homedir() });
  const logger = createMemoryLogger();
  // Tests never write to a developer's real keyring.
  const secrets = await openSecretStore({ home: locations.home, logger, prefer: 'file' });
  const companion = new Companion(
    {
      locations,
      policy: { policy: { environment: 'sandbox', clients: { preApproved: [] }, ...policy }, source: null, notices: [] },
      platform: process.platform,
      pid: process.pid,
      pipeLimits: { frameTimeoutMs },
      ...(signing ? { signing } : {}),
    },
    { ui: noWindow, logger, secrets },
  );
  await companion.start();
  return {
    companion,
    endpoint: companion.pipe.endpoint,
    home,
    stop: async () => {
      await companion.stop();
      await home.cleanup();
    },
  };
}
