#!/usr/bin/env node
// `npm test`: every tier, in order, on this machine.
//   typecheck → lint → build → unit + integration (vitest) → window end to end (Playwright + Chromium)
//   → tray app end to end (Playwright's Electron launcher, only where an Electron binary exists).
// Every tier runs even if an earlier one failed, so one run shows everything; the exit code is non-zero if
// any failed. The last line counts the tests: "total: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results');
fs.rmSync(results, { recursive: true, force: true });
fs.mkdirSync(results, { recursive: true });

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const failures = [];
const counts = { passed: 0, failed: 0, skipped: 0 };

function step(name, command, args, env = {}) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const run = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (run.status !== 0) {
    failures.push(name);
  }
  return run.status === 0;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(path.join(results, file), 'utf8'));
  } catch {
    return null;
  }
}

function countPlaywright(file, tier) {
  const report = readJson(file);
  if (!report) {
    failures.push(`${tier} (no report)`);
    return;
  }
  const { expected = 0, unexpected = 0, flaky = 0, skipped = 0 } = report.stats ?? {};
  counts.passed += expected + flaky;
  counts.failed += unexpected;
  counts.skipped += skipped;
}

step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
step('lint', 'npm', ['run', '--silent', 'lint']);
const built = step('build', process.execPath, [path.join(root, 'scripts', 'build.mjs')]);

step('unit and integration (vitest)', bin('vitest'), [
  'run',
  '--config',
  'test/vitest.config.ts',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${path.join(results, 'vitest.json')}`,
]);
const vitest = readJson('vitest.json');
if (vitest) {
  counts.passed += vitest.numPassedTests;
  counts.failed += vitest.numFailedTests;
  counts.skipped += vitest.numPendingTests + vitest.numTodoTests;
} else {
  failures.push('vitest (no report)');
}

step('window end to end (Playwright + Chromium)', bin('playwright'), ['test', '-c', 'test/e2e/playwright.config.ts']);
countPlaywright('e2e.json', 'window end to end');

// The Electron tier needs the binary; the built CLI knows how to find (or fetch) it without loading it.
const electron = built
  ? (await import(path.join(root, 'dist/main/cli/electron-binary.js'))).findElectronBinary()
  : { available: false, reason: 'the build failed' };
const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const xvfb = needsDisplay ? ['/usr/bin/xvfb-run'].find((p) => fs.existsSync(p)) : undefined;
const electronSpecs = fs.readdirSync(path.join(root, 'test', 'e2e-electron')).filter((f) => f.endsWith('.spec.ts')).length;
if (!electron.available) {
  process.stdout.write(`\n=== tray app end to end (Electron) ===\nElectron end-to-end tests skipped: ${electron.reason}.\n`);
  counts.skipped += electronSpecs;
} else if (needsDisplay && !xvfb) {
  process.stdout.write('\n=== tray app end to end (Electron) ===\nElectron end-to-end tests skipped: no display and no xvfb-run.\n');
  counts.skipped += electronSpecs;
} else {
  const playwright = [bin('playwright'), 'test', '-c', 'test/e2e-electron/playwright.config.ts'];
  const [command, ...args] = xvfb ? [xvfb, '-a', ...playwright] : playwright;
  step('tray app end to end (Electron)', command, args, { ELECTRON_BINARY: electron.path });
  countPlaywright('e2e-electron.json', 'tray app end to end');
}

process.stdout.write('\n');
if (failures.length > 0) {
  process.stdout.write(`Failed: ${failures.join(', ')}. Screenshots, traces and reports are in test-results/.\n`);
}
process.stdout.write(`total: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
process.exitCode = failures.length > 0 || counts.failed > 0 ? 1 : 0;
