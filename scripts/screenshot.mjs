#!/usr/bin/env node
// Takes docs/screenshot.png: the headless host in a temporary home, its window in Chromium, showing a
// prescribing system's request (two of NHS England's example prescriptions, one with controlled drugs).
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
const page = await browser.newPage({ viewport: { width: 960, height: 900 } });
await page.goto(ui);
await page.getByTestId('status').waitFor();

const { CompanionClient } = await import(path.join(root, 'dist/main/client/companion-client.js'));
const endpoint = JSON.parse(fs.readFileSync(path.join(home, 'run', 'companion.json'), 'utf8')).pipe;
const info = { name: 'Example EPR', version: '4.2', vendor: 'Example Ltd' };
const first = await CompanionClient.connect(info, endpoint);
await first.hello();
const pairing = first.pair();
await page.getByRole('button', { name: 'Pair this application' }).click();
const credentials = await pairing;
await first.close();
const client = await CompanionClient.connect(info, endpoint);
await client.prove(credentials);
const signingIn = client.signIn();
await page.getByRole('button', { name: 'Sign in' }).click();
await signingIn;
const corpus = process.env.EPS_CONFORMANCE_DIR ?? path.resolve(root, '..', 'shared', 'conformance', 'eps');
const read = (name) => fs.readFileSync(path.join(corpus, 'prepare', name, 'prepare-request.json'), 'utf8');
const signing = client
  .sign({
    prescriptions: [
      { id: 'rx-1', format: 'fhir-bundle', content: read('secondary-care_community_acute_nominated-pharmacy_clinical-practitioner_controlled-drugs_1') },
      { id: 'rx-2', format: 'fhir-bundle', content: read('primary-care_acute_nominated-pharmacy_medical-prescriber_1') },
    ],
  })
  .catch(() => []);
await page.getByTestId('confirmation').waitFor();
await page.screenshot({ path: path.join(root, 'docs', 'screenshot.png') });
await page.getByRole('button', { name: 'Do not sign any' }).click();
await signing;
await client.close();
await browser.close();
companion.kill('SIGINT');
await new Promise((resolve) => companion.on('exit', resolve));
fs.rmSync(home, { recursive: true, force: true });
console.log('docs/screenshot.png');
