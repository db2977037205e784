import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SecretStoreError, type SecretStore } from './secret-store.js';

/** The fallback file's name, beside `paired-clients.json` in the companion's home. */
export const FALLBACK_SECRETS_FILE = 'paired-client-secrets.json';

const SecretsFile = z.record(z.string(), z.string());

/**
 * Secrets in a JSON file of mode 0600 in a folder of mode 0700, for machines with no OS keyring.
 *
 * Nothing is encrypted: the file's mode is the only protection, which is why the keyring is preferred.
 * Every write replaces the file through a temporary file and a rename, so a crash leaves the old file or the
 * new one, never half of one. Writes are queued, so two pairings approved at once do not lose each other.
 */
export class FileSecretStore implements SecretStore {
  public readonly kind = 'file';
  private writes: Promise<unknown> = Promise.resolve();

  constructor(public readonly file: string) {}

  public async get(account: string): Promise<string | null> {
    return (await this.read()).get(account) ?? null;
  }

  public set(account: string, secret: string): Promise<void> {
    return this.queue(async () => {
      const secrets = await this.read();
      secrets.set(account, secret);
      await this.write(secrets);
    });
  }

  public delete(account: string): Promise<boolean> {
    return this.queue(async () => {
      const secrets = await this.read();
      if (!secrets.delete(account)) {
        return false;
      }
      await this.write(secrets);
      return true;
    });
  }

  /** Every secret in the file, for moving them into the keyring once one is available. */
  public async entries(): Promise<[account: string, secret: string][]> {
    return [...(await this.read())];
  }

  private queue<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.writes.then(operation);
    // A failed write must not block the ones after it; its caller still sees the failure.
    this.writes = result.catch(() => undefined);
    return result;
  }

  private async read(): Promise<Map<string, string>> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return new Map();
      }
      throw new SecretStoreError(`Signing Companion cannot read its secrets file ${this.file}.`, { cause: err });
    }
    // A damaged file holds nothing usable; the pairings that needed it are dropped and their applications
    // pair again, which is better than refusing to start.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return new Map();
    }
    const secrets = SecretsFile.safeParse(parsed);
    return secrets.success ? new Map(Object.entries(secrets.data)) : new Map();
  }

  private async write(secrets: Map<string, string>): Promise<void> {
    const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      // `wx` creates the file, so the mode applies: an existing file would keep whatever mode it had.
      const handle = await fs.open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(Object.fromEntries(secrets), null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temporary, this.file);
    } catch (err) {
      await fs.rm(temporary, { force: true });
      throw new SecretStoreError(`Signing Companion cannot write its secrets file ${this.file}.`, { cause: err });
    }
  }
}
