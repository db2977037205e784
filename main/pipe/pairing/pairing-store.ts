import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { FALLBACK_SECRETS_FILE, FileSecretStore } from '../../platform/file-secret-store.js';
import type { Logger } from '../../platform/logger.js';
import type { SecretStore } from '../../platform/secret-store.js';

export type PairingApproval = 'clinician' | 'policy' | 'sandbox-automatic';

const Pairing = z.object({
  clientId: z.string(),
  name: z.string(),
  version: z.string(),
  vendor: z.string().optional(),
  pairedAt: z.string(),
  approval: z.enum(['clinician', 'policy', 'sandbox-automatic']),
});
/** What the companion records about a paired application, apart from its secret. */
export type Pairing = z.infer<typeof Pairing>;

/** Files written before secrets moved out of them still hold each one inline. */
const StoredPairing = Pairing.extend({ clientSecret: z.string().optional() });
type StoredPairing = z.infer<typeof StoredPairing>;

/** A paired application with the secret its proofs are checked against. */
export type PairedClient = Pairing & { clientSecret: string };

/**
 * The applications this user has paired.
 *
 * What is shown about them stays in `<home>/paired-clients.json` (mode 0600, written atomically); each
 * one's secret is in a `SecretStore`, the OS keyring where there is one, so the file holds nothing an
 * application could prove itself with. Secrets are read once, on `load`, and kept in memory like before, so
 * checking a proof never waits on the keyring (nor makes macOS ask the user again). A revoked application
 * is removed with its secret: its next proof fails and it must pair again.
 */
export class PairingStore {
  private clients: Pairing[] = [];
  private readonly secretsById = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private changes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly secrets: SecretStore = new FileSecretStore(path.join(path.dirname(file), FALLBACK_SECRETS_FILE)),
    private readonly logger?: Logger,
  ) {}

  /**
   * Reads the file and every secret. Secrets still inline in an older file move into the store first, and
   * the file is rewritten without them; a pairing whose secret the store no longer has (a wiped or replaced
   * keyring) cannot prove itself, so it is dropped with a warning.
   */
  public load(): Promise<void> {
    return this.serialize(async () => {
      const stored = await this.read();
      let rewrite = false;
      const inline = stored.filter((c): c is StoredPairing & { clientSecret: string } => c.clientSecret !== undefined);
      for (const { clientId, clientSecret } of inline) {
        await this.secrets.set(clientId, clientSecret);
      }
      if (inline.length > 0) {
        rewrite = true;
        this.logger?.info('pairing.secrets_migrated', { count: inline.length, store: this.secrets.kind });
      }
      const clients: Pairing[] = [];
      this.secretsById.clear();
      for (const client of stored.map(withoutSecret)) {
        const secret = await this.secrets.get(client.clientId);
        if (secret === null) {
          this.logger?.warn('pairing.secret_missing', { clientId: client.clientId, client: client.name, store: this.secrets.kind });
          rewrite = true;
          continue;
        }
        clients.push(client);
        this.secretsById.set(client.clientId, secret);
      }
      this.clients = clients;
      if (rewrite) {
        await this.save();
        this.changed();
      }
    });
  }

  public onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The paired applications, without their secrets: what the window shows. */
  public list(): readonly Pairing[] {
    return this.clients;
  }

  public get(clientId: string): PairedClient | undefined {
    const client = this.clients.find((c) => c.clientId === clientId);
    const clientSecret = this.secretsById.get(clientId);
    return client && clientSecret !== undefined ? { ...client, clientSecret } : undefined;
  }

  public add(client: { name: string; version: string; vendor?: string | undefined }, approval: PairingApproval): Promise<PairedClient> {
    return this.serialize(async () => {
      const pairing: Pairing = {
        clientId: randomUUID(),
        name: client.name,
        version: client.version,
        ...(client.vendor === undefined ? {} : { vendor: client.vendor }),
        pairedAt: new Date().toISOString(),
        approval,
      };
      const clientSecret = randomBytes(32).toString('base64');
      await this.secrets.set(pairing.clientId, clientSecret);
      this.clients = [...this.clients, pairing];
      this.secretsById.set(pairing.clientId, clientSecret);
      try {
        await this.save();
      } catch (err) {
        // Not recorded, so not paired: the application is told so and its secret must not linger.
        this.clients = this.clients.filter((c) => c.clientId !== pairing.clientId);
        this.secretsById.delete(pairing.clientId);
        await this.secrets.delete(pairing.clientId).catch(() => false);
        throw err;
      }
      this.changed();
      return { ...pairing, clientSecret };
    });
  }

  public revoke(clientId: string): Promise<boolean> {
    return this.serialize(async () => {
      const before = this.clients.length;
      this.clients = this.clients.filter((c) => c.clientId !== clientId);
      this.secretsById.delete(clientId);
      try {
        // The secret goes before the record: should either step fail, a record without a secret is dropped
        // on the next load, whereas a secret without a record would stay in the keyring for good.
        await this.secrets.delete(clientId);
      } finally {
        await this.save();
        this.changed();
      }
      return this.clients.length !== before;
    });
  }

  private serialize<T>(change: () => Promise<T>): Promise<T> {
    const result = this.changes.then(change);
    // One failed change must not block the next; its caller still sees the failure.
    this.changes = result.catch(() => undefined);
    return result;
  }

  private async read(): Promise<StoredPairing[]> {
    try {
      const parsed = z.array(StoredPairing).safeParse(JSON.parse(await fs.readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data : [];
    } catch {
      return [];
    }
  }

  private async save(): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(temporary, `${JSON.stringify(this.clients, null, 2)}\n`, { mode: 0o600 });
    await fs.rename(temporary, this.file);
  }

  private changed(): void {
    for (const listener of this.listeners) {
      listener();
    }
  }
}

function withoutSecret({ clientSecret: _secret, ...pairing }: StoredPairing): Pairing {
  return pairing;
}
