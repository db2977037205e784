import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export type PairingApproval = 'clinician' | 'policy' | 'sandbox-automatic';

const PairedClient = z.object({
  clientId: z.string(),
  clientSecret: z.string(),
  name: z.string(),
  version: z.string(),
  vendor: z.string().optional(),
  pairedAt: z.string(),
  approval: z.enum(['clinician', 'policy', 'sandbox-automatic']),
});
export type PairedClient = z.infer<typeof PairedClient>;

/**
 * The applications this user has paired, kept in `<home>/paired-clients.json` (mode 0600, written
 * atomically). A revoked application is simply removed: its next proof fails and it must pair again.
 */
export class PairingStore {
  private clients: PairedClient[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly file: string) {}

  public async load(): Promise<void> {
    try {
      const parsed = z.array(PairedClient).safeParse(JSON.parse(await fs.readFile(this.file, 'utf8')));
      this.clients = parsed.success ? parsed.data : [];
    } catch {
      this.clients = [];
    }
  }

  public onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  public list(): readonly PairedClient[] {
    return this.clients;
  }

  public get(clientId: string): PairedClient | undefined {
    return this.clients.find((c) => c.clientId === clientId);
  }

  public async add(client: { name: string; version: string; vendor?: string | undefined }, approval: PairingApproval): Promise<PairedClient> {
    const paired: PairedClient = {
      clientId: randomUUID(),
      clientSecret: randomBytes(32).toString('base64'),
      name: client.name,
      version: client.version,
      ...(client.vendor === undefined ? {} : { vendor: client.vendor }),
      pairedAt: new Date().toISOString(),
      approval,
    };
    this.clients = [...this.clients, paired];
    await this.save();
    return paired;
  }

  public async revoke(clientId: string): Promise<boolean> {
    const before = this.clients.length;
    this.clients = this.clients.filter((c) => c.clientId !== clientId);
    await this.save();
    return this.clients.length !== before;
  }

  private async save(): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(temporary, `${JSON.stringify(this.clients, null, 2)}\n`, { mode: 0o600 });
    await fs.rename(temporary, this.file);
    for (const listener of this.listeners) {
      listener();
    }
  }
}
