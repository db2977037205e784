import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CompanionError } from '../errors.js';

/**
 * Who this process runs as on Windows: the user's SID and the Windows session id. The pipe name is derived
 * from both, so two clinicians on one terminal server, or one clinician in two sessions, never share a pipe.
 * Both come from tools every Windows has (whoami, tasklist), read once at start.
 */
export interface WindowsIdentity {
  sid: string;
  sessionId: number;
}

type Run = (file: string, args: string[]) => Promise<{ stdout: string }>;

const execFileText: Run = promisify(execFile);

export async function readWindowsIdentity(pid: number, run: Run = execFileText): Promise<WindowsIdentity> {
  try {
    const [user, task] = await Promise.all([
      run('whoami', ['/user', '/fo', 'csv', '/nh']),
      run('tasklist', ['/fi', `PID eq ${pid}`, '/fo', 'csv', '/nh']),
    ]);
    return { sid: parseWhoamiSid(user.stdout), sessionId: parseTasklistSession(task.stdout, pid) };
  } catch (err) {
    if (err instanceof CompanionError) {
      throw err;
    }
    throw new CompanionError('INTERNAL', 'Signing Companion could not read which Windows user and session it runs in (whoami, tasklist).', { cause: err });
  }
}

/** `whoami /user /fo csv /nh` prints `"DOMAIN\user","S-1-5-21-…"`. */
export function parseWhoamiSid(output: string): string {
  const sid = /"(S-1-[0-9-]+)"/.exec(output)?.[1];
  if (!sid) {
    throw new CompanionError('INTERNAL', 'whoami did not print a SID.');
  }
  return sid;
}

/** `tasklist /fo csv /nh` prints `"node.exe","1234","Console","1","52,344 K"`: the fourth field is the session. */
export function parseTasklistSession(output: string, pid: number): number {
  for (const line of output.split(/\r?\n/)) {
    const fields = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    if (fields[1] === String(pid) && fields[3] !== undefined && /^\d+$/.test(fields[3])) {
      return Number(fields[3]);
    }
  }
  throw new CompanionError('INTERNAL', `tasklist did not list this process (${pid}) with its session.`);
}
