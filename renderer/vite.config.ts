import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Builds the window into dist/renderer with relative URLs, so both hosts can serve it from any path. */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  resolve: {
    // The design system's icons are bundled from the package like any other asset.
    alias: { '@nhsuk-images': path.join(import.meta.dirname, '..', 'node_modules/nhsuk-frontend/dist/nhsuk/assets/images') },
  },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Inline nothing: the CSP forbids data: scripts and styles.
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  css: {
    preprocessorOptions: {
      scss: {
        // Quiet the design system's own deprecation notices; ours still surface.
        quietDeps: true,
        loadPaths: [path.join(import.meta.dirname, '..', 'node_modules')],
      },
    },
  },
});
