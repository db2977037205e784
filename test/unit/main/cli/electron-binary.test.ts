import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findElectronBinary } from '../../../../main/cli/electron-binary.js';

describe('findElectronBinary', () => {
  it('honours SIGNING_COMPANION_HEADLESS without looking further', () => {
    expect(findElectronBinary({ SIGNING_COMPANION_HEADLESS: '1' })).toEqual({
      available: false,
      reason: 'SIGNING_COMPANION_HEADLESS=1 is set',
    });
  });

  it('finds a binary in ELECTRON_OVERRIDE_DIST_PATH, as a vendored Electron is supplied', async () => {
    const dist = await fs.mkdtemp(path.join(os.tmpdir(), 'sc-electron-'));
    try {
      const none = findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist });
      expect(none).toEqual({ available: false, reason: 'ELECTRON_OVERRIDE_DIST_PATH has no Electron binary' });
      await fs.writeFile(path.join(dist, 'electron'), '#!/bin/sh\n', { mode: 0o755 });
      expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist })).toEqual({
        available: true,
        path: path.join(dist, 'electron'),
      });
    } finally {
      await fs.rm(dist, { recursive: true, force: true });
    }
  });
});
