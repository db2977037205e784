import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from '../support/chromium.js';

const executablePath = chromiumExecutable();

/** The window in a real Chromium, served by a real headless host started per test. */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../../test-results/e2e',
  reporter: [['list'], ['json', { outputFile: '../../test-results/e2e.json' }]],
  timeout: 30_000,
  use: {
    browserName: 'chromium',
    launchOptions: { args: CHROMIUM_ARGS, ...(executablePath ? { executablePath } : {}) },
    viewport: { width: 1024, height: 768 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
