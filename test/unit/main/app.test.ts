import path from 'node:path';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Companion } from '../../../main/app.js';
import { resolveLocations, type Locations } from '../../../main/platform/locations.js';
import { createMemoryLogger } from '../../../main/platform/logger.js';
import type { UiBridge } from '../../../main/ui/ui-bridge.js';
import type { UiSurface } from '../../../main/ui/ui-surface.js';
import { createTempHome, type TempHome } from '../../support/temp-home.js';
import { FALLBACK_SECRETS_FILE, FileSecretStore } from '../../../main/platform/file-secret-store.js';

/** A window stand-in that records what it could see of the core when it was started and stopped. */
class RecordingUi implements UiSurface {
  public readonly url = 'http://127.0.0.1:1/s/test/';
  public readonly events: string[] = [];
  public bridge: UiBridge | null = null;

  constructor(
    private readonly locations: Locations,
    private readonly failStart = false,
  ) {}

  public start(bridge: UiBridge): Promise<void> {
    this.bridge = bridge;
    this.events.push(
      `ui.start socket=${fs.existsSync(`${this.locations.runDir}/companion.sock`)} discovery=${fs.existsSync(this.locations.discoveryFile)}`,
    );
    return this.failStart ? Promise.reject(new Error('window failed')) : Promise.resolve();
  }

  public stop(): Promise<void> {
    this.events.push(
      `ui.stop socket=${fs.existsSync(`${this.locations.runDir}/companion.sock`)} discovery=${fs.existsSync(this.locations.discoveryFile)}`,
    );
    return Promise.resolve();
  }
}

let temp: TempHome;
let locations: Locations;
beforeEach(async () => {
  temp = await createTempHome();
  locations = resolveLocations({ env: temp.env, platform: process.platform, homedir: os.homedir() });
});
afterEach(() => temp.cleanup());

function companionWith(ui: UiSurface) {
  return new Companion(
    {
      locations,
      policy: { policy: { environment: 'sandbox', clients: { preApproved: [] } }, source: null, notices: [] },
      platform: process.platform,
      pid: process.pid,
    },
    { ui, logger: createMemoryLogger(), secrets: new FileSecretStore(path.join(locations.home, FALLBACK_SECRETS_FILE)) },
  );
}

describe('Companion (composition root)', () => {
  it('starts pipe, then window, then discovery file, and stops them in reverse', async () => {
    const ui = new RecordingUi(locations);
    const companion = companionWith(ui);
    await companion.start();
    expect(JSON.parse(fs.readFileSync(locations.discoveryFile, 'utf8'))).toEqual({
      pid: process.pid,
      pipe: `${locations.runDir}/companion.sock`,
      ui: ui.url,
      protocolVersion: 1,
    });
    await companion.stop();
    expect(ui.events).toEqual(['ui.start socket=true discovery=false', 'ui.stop socket=true discovery=false']);
    expect(fs.existsSync(`${locations.runDir}/companion.sock`)).toBe(false);
  });

  it('undoes what it started when a later step fails', async () => {
    const ui = new RecordingUi(locations, true);
    await expect(companionWith(ui).start()).rejects.toThrow('window failed');
    expect(fs.existsSync(`${locations.runDir}/companion.sock`)).toBe(false);
    expect(fs.existsSync(locations.discoveryFile)).toBe(false);
  });

  it('shows prescribing-system connections in the window state as they come and go', async () => {
    const companion = companionWith(new RecordingUi(locations));
    await companion.start();
    try {
      const seen: number[] = [];
      companion.state.subscribe((s) => seen.push(s.pipe.connections));
      const socket = net.connect(companion.pipe.endpoint);
      await new Promise((resolve) => socket.once('connect', resolve));
      await expect.poll(() => companion.state.current.pipe.connections).toBe(1);
      socket.destroy();
      await expect.poll(() => companion.state.current.pipe.connections).toBe(0);
      expect(seen).toEqual([1, 0]);
    } finally {
      await companion.stop();
    }
  });

  it('gives the window the environment from the policy', async () => {
    const ui = new RecordingUi(locations);
    const companion = companionWith(ui);
    await companion.start();
    try {
      const result = await ui.bridge!.invoke('app.getSnapshot', []);
      expect(result).toMatchObject({ ok: true, value: { environment: { name: 'sandbox', clinicalUse: false } } });
    } finally {
      await companion.stop();
    }
  });
});
