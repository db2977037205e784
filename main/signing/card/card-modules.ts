import fs from 'node:fs/promises';
import type { Logger } from '../../platform/logger.js';
import type { CardModuleSource } from './card-signer.js';
import { CardError, type CardModule } from './card-token.js';

/**
 * The PKCS#11 libraries of the card middleware found on NHS estates, by OS, tried in order when the
 * policy names none (docs/configuration.md). Only those present are loaded; an admin overrides the list
 * with `pkcs11.modules`.
 */
export function defaultModulePaths(platform: NodeJS.Platform): string[] {
  switch (platform) {
    case 'win32':
      return [
        'C:\\Program Files\\Oberthur Technologies\\AWP\\DLLs\\OcsCryptolib_P11.dll',
        'C:\\Program Files (x86)\\Oberthur Technologies\\AWP\\DLLs\\OcsCryptolib_P11.dll',
        'C:\\Program Files\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll',
      ];
    case 'darwin':
      return ['/Library/OpenSC/lib/opensc-pkcs11.so'];
    default:
      return ['/usr/lib/ClassicClient/libgclib.so', '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', '/usr/lib/opensc-pkcs11.so'];
  }
}

export type ModulePlan =
  | { kind: 'fixed'; modules: CardModule[] }
  | { kind: 'pkcs11'; paths: string[]; fromPolicy: boolean; load: (path: string) => Promise<CardModule> };

/**
 * Loads the card modules once, on first use. A missing or broken library becomes a sentence naming it,
 * shown in the status and returned with CARD_ABSENT; it never stops the companion.
 */
export class CardModules implements CardModuleSource {
  private loaded: Promise<{ modules: CardModule[]; problems: string[] }> | null = null;

  constructor(
    private readonly plan: ModulePlan,
    private readonly logger: Logger,
  ) {}

  public modules(): Promise<{ modules: CardModule[]; problems: string[] }> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  public async close(): Promise<void> {
    if (!this.loaded) {
      return;
    }
    const { modules } = await this.loaded;
    for (const module of modules) {
      await module.close().catch((err: unknown) => this.logger.warn('card.module_close_failed', { module: module.name, error: String(err) }));
    }
    this.loaded = null;
  }

  private async load(): Promise<{ modules: CardModule[]; problems: string[] }> {
    const plan = this.plan;
    if (plan.kind === 'fixed') {
      return { modules: plan.modules, problems: [] };
    }
    const modules: CardModule[] = [];
    const problems: string[] = [];
    const missing: string[] = [];
    for (const path of plan.paths) {
      if (!(await exists(path))) {
        missing.push(path);
        continue;
      }
      try {
        modules.push(await plan.load(path));
        this.logger.info('card.module_loaded', { module: path });
      } catch (err) {
        const message = err instanceof CardError ? err.message : `The smartcard library ${path} could not be loaded.`;
        problems.push(message);
        this.logger.warn('card.module_failed', { module: path, error: String(err) });
      }
    }
    if (plan.fromPolicy) {
      problems.push(...missing.map((path) => `The smartcard library ${path} named in the machine policy does not exist.`));
    } else if (modules.length === 0 && problems.length === 0) {
      problems.push(`No smartcard software was found (looked for ${plan.paths.join(', ')}). Install the card middleware, or ask your IT team to set pkcs11.modules in the machine policy.`);
    }
    return { modules, problems };
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}
