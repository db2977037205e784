#!/usr/bin/env node
// Builds everything the hosts run: main (tsc), the window (Vite), and the two page-side bridges (Vite):
// the Electron preload as one CommonJS file (sandboxed preloads cannot load modules) and the headless
// host's WebSocket bridge as one classic script.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quiet = { logLevel: 'warn', configFile: false, root };

// Start clean, so nothing a moved or deleted source left behind is served or packaged.
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });

const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'main/tsconfig.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  process.exit(tsc.status ?? 1);
}

// npm links bins of dependencies, not of the project itself; `npx signing-companion` runs this file directly.
fs.chmodSync(path.join(root, 'dist/main/cli/index.js'), 0o755);

await build({ configFile: path.join(root, 'renderer/vite.config.ts'), logLevel: 'warn' });

const bundle = (entry, fileName, format) =>
  build({
    ...quiet,
    build: {
      outDir: path.join(root, 'dist/preload'),
      emptyOutDir: false,
      minify: false,
      sourcemap: false,
      lib: { entry: path.join(root, entry), formats: [format], fileName: () => fileName, name: 'companionBridge' },
      rollupOptions: { external: ['electron'] },
    },
  });

await bundle('preload/electron-preload.ts', 'electron-preload.cjs', 'cjs');
await bundle('preload/websocket-bridge.ts', 'websocket-bridge.js', 'iife');
console.log('Built dist/ (main, renderer, preload).');
