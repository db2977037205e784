import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempHome, type TempHome } from '../support/temp-home.js';
import { PACKAGE_ROOT, runCli, runCommand } from '../support/cli-process.js';

// Where an Electron binary is installed, `npm start` opens the tray app instead, and the Electron
// end-to-end tier covers it; this test is about machines without one, such as this kind of server.
const electronInstalled = fs.existsSync(path.join(PACKAGE_ROOT, 'node_modules', 'electron', 'path.txt'));

let temp: TempHome;
beforeEach(async () => {
  temp = await createTempHome();
});
afterEach(() => temp.cleanup());

describe.runIf(!electronInstalled)('npm start without an Electron binary', () => {
  it('says so in one line, runs the headless host within 10 seconds, and stops cleanly on Ctrl-C', async () => {
    const began = Date.now();
    // Exactly what a person types, and later Ctrl-C to the terminal's process group.
    const command = runCommand('npm', ['start', '--silent'], temp.env, { processGroup: true });
    await command.waitForLine(/^Press Ctrl-C to stop\.$/, 10_000);
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(command.stdout[0]).toMatch(/^Electron is not available here \(.+\); running the headless host instead\.$/);
    expect(command.stdout[0]).toContain('not installed');
    expect(command.stdout).toContain(`Pipe: ${temp.home}/run/companion.sock`);
    expect(fs.existsSync(`${temp.home}/run/companion.json`)).toBe(true);

    command.interrupt();
    await command.exited;
    // npm reports any interrupted script as 130 by re-raising SIGINT on itself; what matters is that the
    // companion inside stopped cleanly, which the next test checks by exit code without npm in between.
    expect(command.stdout.slice(-2)).toEqual(['Stopping (SIGINT)…', 'Stopped.']);
    expect(fs.existsSync(`${temp.home}/run/companion.sock`)).toBe(false);
    expect(fs.existsSync(`${temp.home}/run/companion.json`)).toBe(false);
  });

  it('the start command npm runs exits 0 on Ctrl-C', async () => {
    const command = runCli(['start'], temp.env);
    await command.waitForLine(/^Press Ctrl-C to stop\.$/, 10_000);
    command.child.kill('SIGINT');
    expect(await command.exited).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(`${temp.home}/run/companion.sock`)).toBe(false);
  });
});
