import { defineConfig } from '@playwright/test';

/**
 * The real tray app through Playwright's Electron launcher. `npm test` runs this tier only where an
 * Electron binary exists (ELECTRON_BINARY is set by scripts/test.mjs) and says so in one line otherwise.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../../test-results/e2e-electron',
  reporter: [['list'], ['json', { outputFile: '../../test-results/e2e-electron.json' }]],
  timeout: 60_000,
  use: { screenshot: 'only-on-failure', trace: 'retain-on-failure' },
});
