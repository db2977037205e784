import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const root = path.resolve(import.meta.dirname, '..');

/**
 * Unit tests of the core (Node), of the window (happy-dom), and integration tests over real sockets and
 * real processes. Integration tests run the built CLI, so `npm test` builds first.
 */
export default defineConfig({
  root,
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', environment: 'node', include: ['test/unit/main/**/*.test.ts'] },
      },
      {
        extends: true,
        plugins: [react()],
        test: { name: 'renderer', environment: 'happy-dom', include: ['test/unit/renderer/**/*.test.{ts,tsx}'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
