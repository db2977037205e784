import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The login keyring's password in every test session; it guards only a throw-away keyring. */
export const TEST_KEYRING_PASSWORD = 'signing-companion-test';

const LOGIN_COLLECTION = '/org/freedesktop/secrets/collection/login';
const TOOLS = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon'] as const;

/**
 * A private D-Bus session bus with its own GNOME Keyring: a real Secret Service that never touches the
 * user's own keyring, because the daemon's home, data and runtime folders are all in a temporary folder.
 */
export interface KeyringSession {
  /** What a process needs to reach this keyring. */
  env: { DBUS_SESSION_BUS_ADDRESS: string };
  /** The temporary folder standing in for the keyring daemon's home (its keyring files are under it). */
  dir: string;
  stop(): Promise<void>;
}

export interface KeyringSessionOptions {
  /**
   * With `false` the daemon starts with no login keyring, so there is no default collection: a Secret
   * Service that answers searches but refuses every write.
   */
  unlock?: boolean;
  timeoutMs?: number;
}

/** Why a keyring session cannot start on this machine, or null if it can. */
export function keyringSessionUnavailable(): string | null {
  if (process.platform !== 'linux') {
    return 'a private GNOME Keyring session needs Linux';
  }
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const missing = TOOLS.filter((tool) => !dirs.some((dir) => fs.existsSync(path.join(dir, tool))));
  return missing.length === 0 ? null : `${missing.join(', ')} not installed (packages dbus and gnome-keyring)`;
}

/**
 * Starts `dbus-daemon` and `gnome-keyring-daemon --unlock` as children of this process.
 *
 * The bus has a configuration of its own rather than `--session`: the system's session configuration lets
 * the bus start services on demand, which would bring up a second keyring daemon with the user's
 * environment the moment ours was gone. Both daemons run in the foreground, so they are our children: we
 * can wait for them to exit, and none is left as a zombie nobody reaps.
 */
export async function startKeyringSession({ unlock = true, timeoutMs = 10_000 }: KeyringSessionOptions = {}): Promise<KeyringSession> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sc-kr-'));
  const children: ChildProcess[] = [];
  const killAll = () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
    }
  };
  // A test process that dies without stopping the session must not leave its daemons running.
  process.once('exit', killAll);
  const stop = async () => {
    process.off('exit', killAll);
    for (const child of [...children].reverse()) {
      await terminate(child);
    }
    await fsp.rm(dir, { recursive: true, force: true });
  };

  try {
    const runtimeDir = path.join(dir, 'run');
    await fsp.mkdir(runtimeDir, { mode: 0o700 });
    const config = path.join(dir, 'bus.conf');
    await fsp.writeFile(config, busConfig(path.join(dir, 'bus')));
    // Only what the daemons need: nothing of the user's desktop session (DISPLAY, an existing bus or keyring).
    const daemonEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      XDG_RUNTIME_DIR: runtimeDir,
      XDG_DATA_HOME: path.join(dir, 'data'),
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      XDG_CACHE_HOME: path.join(dir, 'cache'),
    };

    const bus = spawn('dbus-daemon', [`--config-file=${config}`, '--nofork', '--print-address=1'], {
      env: daemonEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(bus);
    const address = await firstLine(bus, timeoutMs);
    const env = { DBUS_SESSION_BUS_ADDRESS: address };

    const args = ['--foreground', '--components=secrets', ...(unlock ? ['--unlock'] : [])];
    const keyring = spawn('gnome-keyring-daemon', args, { env: { ...daemonEnv, ...env }, stdio: ['pipe', 'ignore', 'pipe'] });
    children.push(keyring);
    const keyringErrors = collect(keyring);
    // --unlock reads the password up to the end of stdin; it creates the login keyring with it the first time.
    keyring.stdin?.end(unlock ? TEST_KEYRING_PASSWORD : '');
    await waitUntil(
      () => (unlock ? loginCollectionUnlocked(address) : ownsName(address, 'org.freedesktop.secrets')),
      keyring,
      timeoutMs,
      () => `gnome-keyring-daemon did not ${unlock ? 'unlock a login keyring' : 'start'} in ${timeoutMs} ms: ${keyringErrors()}`,
    );
    return { env, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function busConfig(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}

async function dbusSend(address: string, args: string[]): Promise<string | null> {
  try {
    const { stdout } = await run('dbus-send', [`--bus=${address}`, '--print-reply', '--reply-timeout=2000', ...args]);
    return stdout;
  } catch {
    return null;
  }
}

async function ownsName(address: string, name: string): Promise<boolean> {
  const reply = await dbusSend(address, ['--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', `string:${name}`]);
  return reply?.includes('boolean true') ?? false;
}

/** The daemon owns its name before it has created and unlocked the login keyring, so wait for that too. */
async function loginCollectionUnlocked(address: string): Promise<boolean> {
  const alias = await dbusSend(address, ['--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.ReadAlias', 'string:default']);
  if (!alias?.includes(LOGIN_COLLECTION)) {
    return false;
  }
  const locked = await dbusSend(address, [
    '--dest=org.freedesktop.secrets',
    LOGIN_COLLECTION,
    'org.freedesktop.DBus.Properties.Get',
    'string:org.freedesktop.Secret.Collection',
    'string:Locked',
  ]);
  return locked?.includes('boolean false') ?? false;
}

async function waitUntil(ready: () => Promise<boolean>, child: ChildProcess, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${describe()} (it is not running: ${child.exitCode ?? child.signalCode ?? 'not started'})`);
    }
    if (await ready()) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(describe());
}

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  // Without a listener, a daemon that is not installed would crash the test process instead of failing it.
  child.on('error', (err) => {
    text += `\n${err.message}`;
  });
  return () => text.trim() || '(nothing on stderr)';
}

function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  const errors = collect(child);
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => fail(new Error(`dbus-daemon printed no address in ${timeoutMs} ms: ${errors()}`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`dbus-daemon exited (${code ?? signal}): ${errors()}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(text.slice(0, newline).trim());
      }
    });
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
