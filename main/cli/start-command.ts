import { spawn } from 'node:child_process';
import { findPackageRoot } from '../platform/package-root.js';
import { findElectronBinary } from './electron-binary.js';
import { serveCommand } from './serve-command.js';

/**
 * `npm start`: the tray app where Electron can run, otherwise the headless host, said in one line.
 */
export async function startCommand(): Promise<number> {
  const binary = findElectronBinary();
  const noDisplay =
    process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY ? 'no display to show it on' : null;
  if (!binary.available || noDisplay) {
    const reason = binary.available ? noDisplay : binary.reason;
    process.stdout.write(`Electron is not available here (${reason}); running the headless host instead.\n`);
    return serveCommand({});
  }
  const child = spawn(binary.path, [findPackageRoot()], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code ?? 0));
    child.on('error', (err) => {
      process.stderr.write(`Electron failed to start (${err.message}).\n`);
      resolve(1);
    });
  });
}
