#!/usr/bin/env node
// Renders assets/icon.svg to the PNGs Electron and electron-builder need (Tray and installers take
// bitmaps). Run it after changing the SVG; the PNGs are committed so builds need no browser.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const svg = fs.readFileSync(path.join(root, 'assets', 'icon.svg'), 'utf8');
const outputs = [
  ['tray-icon.png', 16],
  ['tray-icon@2x.png', 32],
  ['icon.png', 512],
];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const page = await browser.newPage();
for (const [name, size] of outputs) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(
    `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
  );
  await page.screenshot({ path: path.join(root, 'assets', name), omitBackground: true });
  console.log(`assets/${name} (${size}×${size})`);
}
await browser.close();
