import path from 'node:path';

/**
 * Where the companion keeps per-user state and where the machine policy lives.
 *
 * Both can be moved with environment variables so that every test (and every supplier's CI job) runs an
 * instance in its own folder; without them the OS's usual per-user and machine-wide folders are used.
 */
export interface Locations {
  /** Per-user state: `SIGNING_COMPANION_HOME`, or the OS's per-user app data folder. */
  home: string;
  /** Run-time files of the live instance: the socket and the discovery file. Mode 0700. */
  runDir: string;
  /** `{pid, pipe, ui, protocolVersion}` of the live instance, for clients that do not compute the name. */
  discoveryFile: string;
  logDir: string;
  /** The machine policy: `SIGNING_COMPANION_POLICY`, or the OS's machine-wide config folder. */
  policyFile: string;
}

export interface LocationInputs {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  homedir: string;
}

const APP_FOLDER = 'Signing Companion';
const APP_FOLDER_POSIX = 'signing-companion';

export function resolveLocations({ env, platform, homedir }: LocationInputs): Locations {
  const pathFor = platform === 'win32' ? path.win32 : path.posix;
  const join = (...parts: string[]) => pathFor.join(...parts);
  const home = nonEmpty(env.SIGNING_COMPANION_HOME) ?? defaultHome(env, platform, homedir);
  const policyFile = nonEmpty(env.SIGNING_COMPANION_POLICY) ?? defaultPolicyFile(env, platform);
  const runDir = join(home, 'run');
  return {
    home,
    runDir,
    discoveryFile: join(runDir, 'companion.json'),
    logDir: join(home, 'logs'),
    policyFile,
  };
}

function defaultHome(env: LocationInputs['env'], platform: NodeJS.Platform, homedir: string): string {
  switch (platform) {
    case 'win32':
      return path.win32.join(
        nonEmpty(env.LOCALAPPDATA) ?? path.win32.join(homedir, 'AppData', 'Local'),
        APP_FOLDER,
      );
    case 'darwin':
      return path.posix.join(homedir, 'Library', 'Application Support', APP_FOLDER);
    default:
      // XDG: state that should survive restarts but is not configuration the user edits.
      return path.posix.join(
        nonEmpty(env.XDG_STATE_HOME) ?? path.posix.join(homedir, '.local', 'state'),
        APP_FOLDER_POSIX,
      );
  }
}

function defaultPolicyFile(env: LocationInputs['env'], platform: NodeJS.Platform): string {
  switch (platform) {
    case 'win32':
      return path.win32.join(nonEmpty(env.ProgramData) ?? 'C:\\ProgramData', APP_FOLDER, 'policy.json');
    case 'darwin':
      return path.posix.join('/Library', 'Application Support', APP_FOLDER, 'policy.json');
    default:
      return path.posix.join('/etc', APP_FOLDER_POSIX, 'policy.json');
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}
