/**
 * Where the companion keeps secrets it must be able to read back, such as each paired application's
 * `clientSecret`.
 *
 * A secret in a file is only as safe as the file's mode: any process of this user, a backup or a synced home
 * folder copies it in the clear. The OS keyring (Windows Credential Manager, macOS Keychain, the Secret
 * Service on Linux) encrypts at rest and ties access to the user's login, so it is the store of choice; a
 * 0600 file is the fallback for machines that have no keyring, such as headless Linux CI. The core takes
 * this interface, so it does not care which one it got, and tests can use either.
 */
export interface SecretStore {
  /** Which store this is, for logs and for the window: `file` means the secrets are not encrypted at rest. */
  readonly kind: 'os-keyring' | 'file';
  /** The secret kept for `account`, or null if there is none. */
  get(account: string): Promise<string | null>;
  /** Keeps `secret` for `account`, replacing any earlier one. */
  set(account: string, secret: string): Promise<void>;
  /** Forgets the secret for `account`; false if there was none. */
  delete(account: string): Promise<boolean>;
}

/** A secret store could not read or write; the message says which store and what it refused. */
export class SecretStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretStoreError';
  }
}
