import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding the companion's package.json.
 *
 * Code runs both from source (tests) and compiled under `dist/` (the CLI and the Electron shell), so the
 * root is found by walking up rather than by a fixed number of `..`.
 */
export function findPackageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'signing-companion') {
        return dir;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`package.json of signing-companion not found above ${from}`);
    }
    dir = parent;
  }
}

/** Paths of the built artefacts that the hosts serve or load. */
export function builtAssets(root: string = findPackageRoot()): {
  rendererDir: string;
  websocketBridge: string;
  electronPreload: string;
} {
  const dist = path.join(root, 'dist');
  return {
    rendererDir: path.join(dist, 'renderer'),
    websocketBridge: path.join(dist, 'preload', 'websocket-bridge.js'),
    electronPreload: path.join(dist, 'preload', 'electron-preload.cjs'),
  };
}
