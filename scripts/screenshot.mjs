#!/usr/bin/env node
// Takes docs/screenshot.png: the headless host in a temporary home, its window in Chromium.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-shot-'));
const env = { ...process.env, SIGNING_COMPANION_HOME: home, SIGNING_COMPANION_POLICY: path.join(home, 'policy.json') };
const companion = spawn(process.execPath, [path.join(root, 'dist/main/cli/index.js'), 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const ui = await new Promise((resolve) => {
  let out = '';
  companion.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /^UI:\s+(\S+)$/m.exec(out);
    if (match && out.includes('Press Ctrl-C')) {
      resolve(match[1]);
    }
  });
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 960, height: 720 } });
await page.goto(ui);
await page.getByTestId('status').waitFor();
await page.screenshot({ path: path.join(root, 'docs', 'screenshot.png') });
await browser.close();
companion.kill('SIGINT');
await new Promise((resolve) => companion.on('exit', resolve));
fs.rmSync(home, { recursive: true, force: true });
console.log('docs/screenshot.png');
