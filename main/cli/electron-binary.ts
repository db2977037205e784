import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type ElectronBinary = { available: true; path: string } | { available: false; reason: string };

/**
 * Finds the Electron binary without `require('electron')`.
 *
 * Since Electron 42 the package has no install step: the binary is fetched the first time it is needed.
 * This does that fetch once, explicitly, and turns every failure into one plain reason, so `npm start` can
 * say why and fall back to the headless host instead of printing a download stack trace.
 */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): ElectronBinary {
  if (env.SIGNING_COMPANION_HEADLESS === '1') {
    return { available: false, reason: 'SIGNING_COMPANION_HEADLESS=1 is set' };
  }
  let packageDir: string;
  try {
    packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { available: false, reason: 'the electron package is not installed' };
  }
  const found = installedBinary(packageDir, env);
  if (found) {
    return { available: true, path: found };
  }
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    return { available: false, reason: `ELECTRON_OVERRIDE_DIST_PATH has no Electron binary` };
  }
  const download = spawnSync(process.execPath, [path.join(packageDir, 'install.js')], {
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
    env,
  });
  const downloaded = download.status === 0 ? installedBinary(packageDir, env) : null;
  if (downloaded) {
    return { available: true, path: downloaded };
  }
  const firstLine = `${download.stderr ?? ''}`.split('\n').find((line) => line.trim() !== '')?.trim();
  return {
    available: false,
    reason: `the Electron binary is not installed and could not be downloaded (${firstLine ?? 'no reason given'})`,
  };
}

function installedBinary(packageDir: string, env: NodeJS.ProcessEnv): string | null {
  let relative: string | null;
  try {
    relative = fs.readFileSync(path.join(packageDir, 'path.txt'), 'utf8').trim();
  } catch {
    relative = null;
  }
  const candidate = env.ELECTRON_OVERRIDE_DIST_PATH
    ? path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative ?? 'electron')
    : relative
      ? path.join(packageDir, 'dist', relative)
      : null;
  return candidate && fs.existsSync(candidate) ? candidate : null;
}
