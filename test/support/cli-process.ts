import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { findPackageRoot } from '../../main/platform/package-root.js';

export const PACKAGE_ROOT = findPackageRoot();
export const CLI = path.join(PACKAGE_ROOT, 'dist', 'main', 'cli', 'index.js');

/** A running command whose output is collected line by line. */
export interface RunningCommand {
  child: ChildProcess;
  /** Ctrl-C: SIGINT to the whole process group (only for commands started with `processGroup`). */
  interrupt(): void;
  stdout: string[];
  stderr: string[];
  /** Resolves with the first stdout line matching `pattern`, or rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a command. With `processGroup`, it leads a process group of its own, so `interrupt()` can do what a
 * terminal's Ctrl-C does: signal every process of the group (npm, its shell and the companion).
 */
export function runCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  { processGroup = false }: { processGroup?: boolean } = {},
): RunningCommand {
  const child = spawn(command, args, { env, cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: processGroup });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const collect = (into: string[], isStdout: boolean) => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        into.push(line);
        if (isStdout) {
          for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      }
    };
  };
  child.stdout?.on('data', collect(stdout, true));
  child.stderr?.on('data', collect(stderr, false));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    interrupt: () => {
      if (child.pid !== undefined) {
        process.kill(-child.pid, 'SIGINT');
      }
    },
    stdout,
    stderr,
    exited,
    waitForLine: (pattern, timeoutMs = 10_000) => {
      const already = stdout.find((line) => pattern.test(line));
      if (already !== undefined) {
        return Promise.resolve(already);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`No line matching ${pattern} within ${timeoutMs} ms.\nstdout: ${stdout.join('\n')}\nstderr: ${stderr.join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv): RunningCommand {
  return runCommand(process.execPath, [CLI, ...args], env);
}
