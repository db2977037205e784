import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * `run/companion.json`: how a client finds the live instance without computing the endpoint name.
 *
 * Written atomically (temporary file, then rename) with mode 0600, and removed on a clean stop only if it
 * still describes this process.
 */
export interface Discovery {
  pid: number;
  pipe: string;
  ui: string | null;
  protocolVersion: number;
}

export class DiscoveryFile {
  constructor(private readonly file: string) {}

  public get path(): string {
    return this.file;
  }

  public async write(discovery: Discovery): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(temporary, `${JSON.stringify(discovery, null, 2)}\n`, { mode: 0o600 });
    await fs.rename(temporary, this.file);
  }

  public async read(): Promise<Discovery | null> {
    try {
      return JSON.parse(await fs.readFile(this.file, 'utf8')) as Discovery;
    } catch {
      return null;
    }
  }

  public async remove(pid: number): Promise<void> {
    const current = await this.read();
    if (current === null || current.pid === pid) {
      await fs.rm(this.file, { force: true });
    }
  }
}
