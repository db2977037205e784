import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FALLBACK_SECRETS_FILE, FileSecretStore } from '../../main/platform/file-secret-store.js';
import { KeyringSecretStore, KeyringUnavailableError } from '../../main/platform/keyring-secret-store.js';
import { createMemoryLogger, type LogFields, type LogLevel } from '../../main/platform/logger.js';
import { openSecretStore } from '../../main/platform/open-secret-store.js';
import { findPackageRoot } from '../../main/platform/package-root.js';
import { PairingStore } from '../../main/pipe/pairing/pairing-store.js';
import { keyringSessionUnavailable, startKeyringSession, type KeyringSession } from '../support/keyring-session.js';
import { createTempHome, type TempHome } from '../support/temp-home.js';

const ROOT = findPackageRoot();
const noKeyringSession = keyringSessionUnavailable();
// Each run files its entries under a service of its own, so nothing it writes can meet another's.
const service = `Signing Companion test ${randomUUID()}`;

let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(async () => {
  await home.cleanup();
});

const newSecret = () => randomBytes(32).toString('base64');

/** Every file under `dir` whose bytes contain `needle`: where a secret would be if it leaked to disk. */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      if ((await fs.readFile(file)).includes(needle)) {
        found.push(file);
      }
    }
  }
  return found;
}

const modeOf = async (file: string) => (await fs.stat(file)).mode & 0o777;

interface ChildReport {
  kind: string;
  read: string | null;
  lines: { level: LogLevel; event: string; fields: LogFields }[];
}

/**
 * Runs `openSecretStore` in a fresh Node process with `env`, and saves one secret through what it opened.
 *
 * A process that has reached a keyring keeps that D-Bus connection (keytar's libsecret caches it) whatever
 * the environment says afterwards, so a different bus, or none, needs a process of its own. Vite's module
 * runner, which vitest itself uses, lets that process load the TypeScript sources.
 */
async function openInChild(env: NodeJS.ProcessEnv, secret: string): Promise<ChildReport> {
  const script = `
    import { createServer, createServerModuleRunner } from 'vite';
    const server = await createServer({
      configFile: false, logLevel: 'silent', appType: 'custom',
      server: { middlewareMode: true, hmr: false, ws: false }, optimizeDeps: { noDiscovery: true },
    });
    const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
    try {
      const { openSecretStore } = await runner.import(process.env.SC_ROOT + '/main/platform/open-secret-store.ts');
      const { createMemoryLogger } = await runner.import(process.env.SC_ROOT + '/main/platform/logger.ts');
      const logger = createMemoryLogger();
      const store = await openSecretStore({ home: process.env.SC_HOME, service: process.env.SC_SERVICE, logger });
      await store.set('client-a', process.env.SC_SECRET);
      const read = await store.get('client-a');
      process.stdout.write(JSON.stringify({ kind: store.kind, read, lines: logger.lines }) + '\\n');
    } finally {
      await runner.close();
      await server.close();
    }
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...env, SC_ROOT: ROOT, SC_HOME: home.home, SC_SERVICE: service, SC_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    throw new Error(`the child process exited with ${code}: ${stderr}`);
  }
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as ChildReport;
}

describe.skipIf(noKeyringSession !== null)('secrets in a real OS keyring (a private GNOME Keyring on a private D-Bus)', () => {
  let session: KeyringSession;
  const busBefore = process.env.DBUS_SESSION_BUS_ADDRESS;

  beforeAll(async () => {
    session = await startKeyringSession();
    // libsecret reads the address when keytar first reaches the keyring, which is after this: keytar is only
    // loaded by KeyringSecretStore.open, and nothing in this process has called it yet.
    process.env.DBUS_SESSION_BUS_ADDRESS = session.env.DBUS_SESSION_BUS_ADDRESS;
  });
  afterAll(async () => {
    if (busBefore === undefined) {
      delete process.env.DBUS_SESSION_BUS_ADDRESS;
    } else {
      process.env.DBUS_SESSION_BUS_ADDRESS = busBefore;
    }
    await session?.stop();
  });

  it('keeps, returns, replaces and deletes a secret, and writes none of it under the companion home', async () => {
    const logger = createMemoryLogger();
    const store = await openSecretStore({ home: home.home, service, logger });
    expect(store.kind).toBe('os-keyring');
    expect(logger.lines).toEqual([]);

    const secret = newSecret();
    await store.set('account-1', 'an older secret');
    await store.set('account-1', secret);
    expect(await store.get('account-1')).toBe(secret);
    // A restarted companion opens a store of its own and finds it.
    expect(await (await KeyringSecretStore.open(service)).get('account-1')).toBe(secret);
    expect(await filesContaining(home.home, secret)).toEqual([]);
    // Nor is it in clear in the keyring's own files: the login keyring is encrypted with its password.
    expect(await filesContaining(session.dir, secret)).toEqual([]);

    expect(await store.delete('account-1')).toBe(true);
    expect(await store.get('account-1')).toBeNull();
    expect(await store.delete('account-1')).toBe(false);
    // The start-up probe leaves nothing behind, so the service holds nothing now.
    expect(await store.get('signing-companion-probe')).toBeNull();
  });

  describe('PairingStore', () => {
    const file = () => path.join(home.home, 'paired-clients.json');

    it('keeps the secret in the keyring and only the description in paired-clients.json; revoking deletes both', async () => {
      const keyring = await KeyringSecretStore.open(service);
      const store = new PairingStore(file(), keyring, createMemoryLogger());
      await store.load();
      const paired = await store.add({ name: 'Test EPR', version: '2.1', vendor: 'Test Systems Ltd' }, 'clinician');

      const text = await fs.readFile(file(), 'utf8');
      expect(JSON.parse(text)).toEqual([
        { clientId: paired.clientId, name: 'Test EPR', version: '2.1', vendor: 'Test Systems Ltd', pairedAt: paired.pairedAt, approval: 'clinician' },
      ]);
      expect(text).not.toContain(paired.clientSecret);
      expect(await modeOf(file())).toBe(0o600);
      expect(await filesContaining(home.home, paired.clientSecret)).toEqual([]);
      expect(await keyring.get(paired.clientId)).toBe(paired.clientSecret);
      expect(store.get(paired.clientId)?.clientSecret).toBe(paired.clientSecret);
      expect(store.list()).toEqual([expect.not.objectContaining({ clientSecret: expect.anything() as unknown })]);

      const restarted = new PairingStore(file(), keyring, createMemoryLogger());
      await restarted.load();
      expect(restarted.get(paired.clientId)).toEqual(paired);

      expect(await restarted.revoke(paired.clientId)).toBe(true);
      expect(restarted.get(paired.clientId)).toBeUndefined();
      expect(restarted.list()).toEqual([]);
      expect(await keyring.get(paired.clientId)).toBeNull();
      expect(JSON.parse(await fs.readFile(file(), 'utf8'))).toEqual([]);
      await expect(fs.access(path.join(home.home, FALLBACK_SECRETS_FILE))).rejects.toThrow();
    });

    it('moves the secrets of an older paired-clients.json into the keyring and rewrites the file without them', async () => {
      const old = [
        { clientId: randomUUID(), clientSecret: newSecret(), name: 'Test EPR', version: '2.1', vendor: 'Test Systems Ltd', pairedAt: '2025-01-02T03:04:05.000Z', approval: 'clinician' },
        { clientId: randomUUID(), clientSecret: newSecret(), name: 'Pharmacy', version: '1.0', pairedAt: '2025-02-03T04:05:06.000Z', approval: 'policy' },
      ] as const;
      await fs.writeFile(file(), JSON.stringify(old, null, 2), { mode: 0o600 });
      const keyring = await KeyringSecretStore.open(service);
      const logger = createMemoryLogger();
      const store = new PairingStore(file(), keyring, logger);
      await store.load();

      for (const client of old) {
        expect(store.get(client.clientId)).toEqual(client);
        expect(await keyring.get(client.clientId)).toBe(client.clientSecret);
        expect(await filesContaining(home.home, client.clientSecret)).toEqual([]);
      }
      expect(JSON.parse(await fs.readFile(file(), 'utf8'))).toEqual(old.map(({ clientSecret: _secret, ...rest }) => rest));
      expect(await modeOf(file())).toBe(0o600);
      expect(logger.lines).toEqual([{ level: 'info', event: 'pairing.secrets_migrated', fields: { count: 2, store: 'os-keyring' } }]);

      // Once moved, a restart has nothing left to move.
      const written = await fs.readFile(file(), 'utf8');
      const again = createMemoryLogger();
      await new PairingStore(file(), keyring, again).load();
      expect(again.lines).toEqual([]);
      expect(await fs.readFile(file(), 'utf8')).toBe(written);
    });

    it('drops, with a warning, a pairing whose secret the keyring no longer has', async () => {
      const keyring = await KeyringSecretStore.open(service);
      const store = new PairingStore(file(), keyring, createMemoryLogger());
      await store.load();
      const kept = await store.add({ name: 'Test EPR', version: '2.1' }, 'clinician');
      const wiped = await store.add({ name: 'Pharmacy', version: '1.0' }, 'policy');
      // As if the user had cleared the keyring entry.
      expect(await keyring.delete(wiped.clientId)).toBe(true);

      const logger = createMemoryLogger();
      const restarted = new PairingStore(file(), keyring, logger);
      await restarted.load();
      expect(restarted.list().map((c) => c.clientId)).toEqual([kept.clientId]);
      expect(restarted.get(wiped.clientId)).toBeUndefined();
      expect(restarted.get(kept.clientId)?.clientSecret).toBe(kept.clientSecret);
      expect(logger.lines).toEqual([
        { level: 'warn', event: 'pairing.secret_missing', fields: { clientId: wiped.clientId, client: 'Pharmacy', store: 'os-keyring' } },
      ]);
      expect(await fs.readFile(file(), 'utf8')).not.toContain(wiped.clientId);
    });
  });

  it('moves secrets an earlier fallback left in the file into the keyring once there is one', async () => {
    const fallback = new FileSecretStore(path.join(home.home, FALLBACK_SECRETS_FILE));
    const secret = newSecret();
    await fallback.set('client-a', secret);
    const logger = createMemoryLogger();
    const store = await openSecretStore({ home: home.home, service, logger });
    expect(store.kind).toBe('os-keyring');
    expect(await store.get('client-a')).toBe(secret);
    await expect(fs.access(fallback.file)).rejects.toThrow();
    expect(logger.lines).toEqual([{ level: 'info', event: 'secrets.moved_to_keyring', fields: { count: 1, from: fallback.file } }]);
    expect(await store.delete('client-a')).toBe(true);
  });

  it('falls back to the file when the Secret Service has no default collection to write to', async () => {
    // Such a service answers reads ("nothing there") but refuses every write, which only a write probe sees.
    const bare = await startKeyringSession({ unlock: false });
    try {
      const secret = newSecret();
      const report = await openInChild({ ...process.env, ...bare.env }, secret);
      expect(report).toEqual({
        kind: 'file',
        read: secret,
        lines: [
          {
            level: 'warn',
            event: 'secrets.keyring_unavailable',
            fields: { reason: expect.stringMatching(/^The system keyring cannot be used: .*collection/) as string, fallback: path.join(home.home, FALLBACK_SECRETS_FILE) },
          },
        ],
      });
    } finally {
      await bare.stop();
    }
  });
});

describe('without an OS keyring', () => {
  // Elsewhere than Linux the D-Bus address means nothing and keytar would reach the user's real keychain.
  it.runIf(process.platform === 'linux').each([
    { bus: 'pointing at no bus', env: (dir: string) => ({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${dir}/no-bus` }), says: 'Could not connect' },
    { bus: 'unset, with no display to start one', env: () => ({ DBUS_SESSION_BUS_ADDRESS: undefined, DISPLAY: undefined }), says: 'Cannot autolaunch D-Bus' },
  ])('openSecretStore falls back to a 0600 file and logs why (D-Bus address $bus)', async ({ env, says }) => {
    const secret = newSecret();
    const report = await openInChild({ ...process.env, ...env(home.home) }, secret);
    const fallback = path.join(home.home, FALLBACK_SECRETS_FILE);
    expect(report).toEqual({
      kind: 'file',
      read: secret,
      lines: [{ level: 'warn', event: 'secrets.keyring_unavailable', fields: { reason: expect.stringContaining(says) as string, fallback } }],
    });
    expect(await modeOf(fallback)).toBe(0o600);
    expect(JSON.parse(await fs.readFile(fallback, 'utf8'))).toEqual({ 'client-a': secret });
  });

  it('KeyringSecretStore.open says so plainly when keytar is not installed, and openSecretStore falls back', async () => {
    const missing = { module: 'keytar-that-is-not-installed' };
    const refused = await KeyringSecretStore.open(service, missing).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(KeyringUnavailableError);
    expect(refused).toMatchObject({
      reason: 'module-missing',
      message: 'The system keyring cannot be used: its module (keytar-that-is-not-installed) is not installed or does not load on this machine.',
    });

    const logger = createMemoryLogger();
    const store = await openSecretStore({ home: home.home, service, logger, keyring: missing });
    expect(store.kind).toBe('file');
    expect(logger.lines).toEqual([
      { level: 'warn', event: 'secrets.keyring_unavailable', fields: { reason: (refused as Error).message, fallback: path.join(home.home, FALLBACK_SECRETS_FILE) } },
    ]);
  });

  it('openSecretStore with prefer "file" does not touch the keyring', async () => {
    const logger = createMemoryLogger();
    const store = await openSecretStore({ home: home.home, service, logger, prefer: 'file', keyring: { module: 'keytar-that-is-not-installed' } });
    expect(store.kind).toBe('file');
    expect(logger.lines).toEqual([]);
  });

  describe('FileSecretStore', () => {
    it('writes a 0600 file in a 0700 folder, replacing it whole each time', async () => {
      const file = path.join(home.home, 'new-folder', FALLBACK_SECRETS_FILE);
      const store = new FileSecretStore(file);
      expect(await store.get('client-a')).toBeNull();
      const secret = newSecret();
      await store.set('client-a', 'an older secret');
      await store.set('client-a', secret);
      await store.set('client-b', 'another');
      expect(await store.get('client-a')).toBe(secret);
      expect(await modeOf(file)).toBe(0o600);
      expect(await modeOf(path.dirname(file))).toBe(0o700);
      expect(await fs.readdir(path.dirname(file))).toEqual([FALLBACK_SECRETS_FILE]);

      expect(await store.delete('client-a')).toBe(true);
      expect(await store.delete('client-a')).toBe(false);
      expect(await store.get('client-a')).toBeNull();
      expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ 'client-b': 'another' });
    });

    it('narrows a file someone loosened back to 0600 on its next write', async () => {
      const file = path.join(home.home, FALLBACK_SECRETS_FILE);
      await fs.writeFile(file, '{}', { mode: 0o644 });
      await fs.chmod(file, 0o644);
      await new FileSecretStore(file).set('client-a', newSecret());
      expect(await modeOf(file)).toBe(0o600);
    });

    it('loses none of many secrets saved at once', async () => {
      const store = new FileSecretStore(path.join(home.home, FALLBACK_SECRETS_FILE));
      const accounts = Array.from({ length: 20 }, (_, i) => `client-${i}`);
      await Promise.all(accounts.map((account) => store.set(account, `secret of ${account}`)));
      for (const account of accounts) {
        expect(await store.get(account)).toBe(`secret of ${account}`);
      }
    });

    it('reads a damaged file as empty', async () => {
      const file = path.join(home.home, FALLBACK_SECRETS_FILE);
      await fs.writeFile(file, '{"client-a": ', { mode: 0o600 });
      const store = new FileSecretStore(file);
      expect(await store.get('client-a')).toBeNull();
      await store.set('client-b', 'fresh');
      expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ 'client-b': 'fresh' });
    });
  });

  it('PairingStore given no secret store keeps secrets in the 0600 file beside paired-clients.json', async () => {
    const file = path.join(home.home, 'paired-clients.json');
    const store = new PairingStore(file);
    await store.load();
    const paired = await store.add({ name: 'Test EPR', version: '2.1' }, 'sandbox-automatic');
    expect(await fs.readFile(file, 'utf8')).not.toContain(paired.clientSecret);
    expect(await filesContaining(home.home, paired.clientSecret)).toEqual([path.join(home.home, FALLBACK_SECRETS_FILE)]);
    expect(await modeOf(path.join(home.home, FALLBACK_SECRETS_FILE))).toBe(0o600);

    const restarted = new PairingStore(file);
    await restarted.load();
    expect(restarted.get(paired.clientId)).toEqual(paired);
    expect(await restarted.revoke(paired.clientId)).toBe(true);
    expect(await fs.readFile(path.join(home.home, FALLBACK_SECRETS_FILE), 'utf8')).not.toContain(paired.clientSecret);
  });
});
