import { randomBytes } from 'node:crypto';
import { SecretStoreError, type SecretStore } from './secret-store.js';

/** The service name the companion's entries are filed under in the OS keyring. */
export const KEYRING_SERVICE = 'Signing Companion';

/** The account the start-up probe writes and deletes again; never a client id, which is a UUID. */
const PROBE_ACCOUNT = 'signing-companion-probe';

const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/** The part of keytar this store uses. */
interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export type KeyringUnavailableReason = 'module-missing' | 'unreachable' | 'timeout';

/** There is no OS keyring to use: keytar is not installed or cannot load, or the keyring did not answer. */
export class KeyringUnavailableError extends Error {
  public readonly reason: KeyringUnavailableReason;

  constructor(reason: KeyringUnavailableReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyringUnavailableError';
    this.reason = reason;
  }
}

export interface KeyringOpenOptions {
  /** How long the start-up probe may take; a keyring that asks to be unlocked waits for the user. */
  probeTimeoutMs?: number;
  /** The module to load instead of `keytar`; tests name one that is not installed. */
  module?: string;
}

/**
 * Secrets in the OS keyring through keytar: Windows Credential Manager, macOS Keychain, or the Secret Service
 * (GNOME Keyring, KWallet) over the D-Bus session bus on Linux.
 *
 * Each secret is one entry of `service`, filed under its account. Only `open` builds one, after a probe, so a
 * store that exists is known to work.
 */
export class KeyringSecretStore implements SecretStore {
  public readonly kind = 'os-keyring';

  private constructor(
    private readonly keytar: Keytar,
    public readonly service: string,
  ) {}

  /**
   * Loads keytar and proves the keyring works by writing, reading back and deleting one entry.
   *
   * A read alone proves too little: a Secret Service with no default collection answers searches but refuses
   * every write. And keytar's `findCredentials` crashes the process (a null dereference in its native code)
   * when the collection is locked and the unlock prompt cannot be shown, so it is never called here.
   */
  public static async open(service: string = KEYRING_SERVICE, options: KeyringOpenOptions = {}): Promise<KeyringSecretStore> {
    const store = new KeyringSecretStore(await loadKeytar(options.module ?? 'keytar'), service);
    await withTimeout(store.probe(), options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
    return store;
  }

  public async get(account: string): Promise<string | null> {
    try {
      return await this.keytar.getPassword(this.service, account);
    } catch (err) {
      throw new SecretStoreError(`The system keyring could not read a secret: ${messageOf(err)}`, { cause: err });
    }
  }

  public async set(account: string, secret: string): Promise<void> {
    try {
      await this.keytar.setPassword(this.service, account, secret);
    } catch (err) {
      throw new SecretStoreError(`The system keyring could not save a secret: ${messageOf(err)}`, { cause: err });
    }
  }

  public async delete(account: string): Promise<boolean> {
    try {
      return await this.keytar.deletePassword(this.service, account);
    } catch (err) {
      throw new SecretStoreError(`The system keyring could not delete a secret: ${messageOf(err)}`, { cause: err });
    }
  }

  private async probe(): Promise<void> {
    const value = randomBytes(16).toString('base64');
    try {
      await this.keytar.setPassword(this.service, PROBE_ACCOUNT, value);
      const readBack = await this.keytar.getPassword(this.service, PROBE_ACCOUNT);
      await this.keytar.deletePassword(this.service, PROBE_ACCOUNT);
      if (readBack !== value) {
        // A locked collection answers lookups with "nothing there" rather than an error.
        throw new Error('a secret written to it could not be read back (is the keyring locked?)');
      }
    } catch (err) {
      throw new KeyringUnavailableError('unreachable', `The system keyring cannot be used: ${messageOf(err)}`, { cause: err });
    }
  }
}

async function loadKeytar(specifier: string): Promise<Keytar> {
  let loaded: unknown;
  try {
    // A variable, not a literal, so the core still compiles where the optional keytar failed to install.
    loaded = await import(specifier);
  } catch (err) {
    throw new KeyringUnavailableError(
      'module-missing',
      `The system keyring cannot be used: its module (${specifier}) is not installed or does not load on this machine.`,
      { cause: err },
    );
  }
  // keytar is CommonJS that assigns an object literal to module.exports, which Node's ESM loader can read
  // only part of as named exports: the whole API is on `default`.
  const candidates = [(loaded as { default?: unknown }).default, loaded];
  const keytar = candidates.find(isKeytar);
  if (!keytar) {
    throw new KeyringUnavailableError('module-missing', `The system keyring cannot be used: ${specifier} does not look like keytar.`);
  }
  return keytar;
}

function isKeytar(value: unknown): value is Keytar {
  const api = value as Partial<Record<keyof Keytar, unknown>> | null | undefined;
  return typeof api?.getPassword === 'function' && typeof api.setPassword === 'function' && typeof api.deletePassword === 'function';
}

async function withTimeout(probe: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new KeyringUnavailableError('timeout', `The system keyring did not answer within ${Math.round(timeoutMs / 1000)} seconds.`)),
      timeoutMs,
    );
    // The companion may stop while the keyring is still silent.
    timer.unref();
  });
  try {
    await Promise.race([probe, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
