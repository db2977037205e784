import fs from 'node:fs/promises';
import path from 'node:path';
import { FALLBACK_SECRETS_FILE, FileSecretStore } from './file-secret-store.js';
import { KEYRING_SERVICE, KeyringSecretStore, type KeyringOpenOptions } from './keyring-secret-store.js';
import type { Logger } from './logger.js';
import type { SecretStore } from './secret-store.js';

export interface OpenSecretStoreOptions {
  /** The companion's home; the fallback file lives there. */
  home: string;
  /** The keyring service name; tests use their own so they never meet the product's entries. */
  service?: string;
  logger: Logger;
  /** `file` skips the keyring altogether, for tests and for machines whose keyring must not be touched. */
  prefer?: 'os-keyring' | 'file';
  keyring?: KeyringOpenOptions;
}

/**
 * The OS keyring if this machine has a working one, otherwise the 0600 file in the companion's home.
 *
 * The fallback is logged once with the keyring's reason, so an admin can see why secrets are not encrypted
 * at rest. Secrets an earlier fallback left in the file move into the keyring once it works, so pairings
 * survive a machine gaining a keyring.
 */
export async function openSecretStore({ home, service = KEYRING_SERVICE, logger, prefer = 'os-keyring', keyring }: OpenSecretStoreOptions): Promise<SecretStore> {
  const fallback = new FileSecretStore(path.join(home, FALLBACK_SECRETS_FILE));
  if (prefer === 'file') {
    return fallback;
  }
  let store: KeyringSecretStore;
  try {
    store = await KeyringSecretStore.open(service, keyring);
  } catch (err) {
    logger.warn('secrets.keyring_unavailable', {
      reason: err instanceof Error ? err.message : String(err),
      fallback: fallback.file,
    });
    return fallback;
  }
  try {
    await moveIntoKeyring(fallback, store, logger);
  } catch (err) {
    // A keyring that passed the probe but refuses these writes is not one to rely on.
    logger.warn('secrets.keyring_unavailable', {
      reason: err instanceof Error ? err.message : String(err),
      fallback: fallback.file,
    });
    return fallback;
  }
  return store;
}

async function moveIntoKeyring(fallback: FileSecretStore, keyring: KeyringSecretStore, logger: Logger): Promise<void> {
  const entries = await fallback.entries();
  if (entries.length === 0) {
    return;
  }
  for (const [account, secret] of entries) {
    await keyring.set(account, secret);
  }
  // Only once every secret is in the keyring: a failure above leaves the file for the next start to retry.
  await fs.rm(fallback.file, { force: true });
  logger.info('secrets.moved_to_keyring', { count: entries.length, from: fallback.file });
}
