import fs from 'node:fs';
import { test as base } from '@playwright/test';
import { runCli, type RunningCommand } from '../support/cli-process.js';
import { createTempHome, type TempHome } from '../support/temp-home.js';

export interface RunningCompanion {
  home: TempHome;
  process: RunningCommand;
  pipe: string;
  ui: string;
  /** Ctrl-C, and wait for the process to end. */
  stop(): Promise<void>;
}

/** Each test gets its own headless host in its own home, found through its discovery file. */
export const test = base.extend<{ companion: RunningCompanion }>({
  companion: async ({}, use) => {
    const home = await createTempHome();
    const command = runCli(['serve'], home.env);
    await command.waitForLine(/^Press Ctrl-C to stop\.$/);
    const discovery = JSON.parse(fs.readFileSync(`${home.home}/run/companion.json`, 'utf8')) as { pipe: string; ui: string };
    const stop = async () => {
      if (command.child.exitCode === null) {
        command.child.kill('SIGINT');
        await command.exited;
      }
    };
    await use({ home, process: command, pipe: discovery.pipe, ui: discovery.ui, stop });
    await stop();
    await home.cleanup();
  },
});

export { expect } from '@playwright/test';
