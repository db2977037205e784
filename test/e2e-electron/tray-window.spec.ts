import fs from 'node:fs';
import { _electron as electron, expect, test } from '@playwright/test';
import { PACKAGE_ROOT } from '../support/cli-process.js';
import { createTempHome } from '../support/temp-home.js';

const binary = process.env.ELECTRON_BINARY ?? '';

test('the tray app opens a hardened window showing the sandbox, and quits cleanly', async ({}, testInfo) => {
  const home = await createTempHome();
  const env = Object.fromEntries(Object.entries(home.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const app = await electron.launch({ executablePath: binary, args: [PACKAGE_ROOT], env });
  try {
    const page = await app.firstWindow();
    await expect(page.getByRole('region', { name: 'Environment' })).toContainText('SANDBOX');
    await expect(page.getByTestId('status')).toContainText('Not signed in');
    expect(page.url()).toBe('app://companion/index.html');

    // The page has no Node and no Electron: only window.companion, with named actions.
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      api: Object.keys((globalThis as unknown as { companion: object }).companion).sort(),
    }));
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', api: ['getSnapshot', 'onDisconnected', 'onSnapshot'] });

    // window.open and navigation away are denied.
    expect(await page.evaluate(() => window.open('https://example.org') === null)).toBe(true);

    const discovery = JSON.parse(fs.readFileSync(`${home.home}/run/companion.json`, 'utf8')) as { ui: unknown; pipe: string };
    expect(discovery.ui).toBeNull();
    expect(fs.existsSync(discovery.pipe)).toBe(true);
    await page.screenshot({ path: testInfo.outputPath('electron-window.png') });
  } finally {
    await app.close();
  }
  expect(fs.existsSync(`${home.home}/run/companion.json`)).toBe(false);
  await home.cleanup();
});
