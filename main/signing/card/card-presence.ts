import type { Logger } from '../../platform/logger.js';
import type { CardModuleSource, CardSigner } from './card-signer.js';

/**
 * Follows card insertion and removal and reports the card signer's availability when it changes. It
 * waits on the modules' slot events (or their slow poll), so it costs nothing while nothing happens.
 */
export class CardPresence {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly source: CardModuleSource,
    private readonly signer: CardSigner,
    private readonly report: (availability: { available: boolean; reason?: string }) => void,
    private readonly logger: Logger,
    private readonly waitMs = 5_000,
  ) {}

  public start(): void {
    this.loop ??= this.run();
  }

  public async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let last = '';
    const stopped = new Promise<void>((resolve) => this.stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
    while (!this.stopping.signal.aborted) {
      try {
        const availability = await this.signer.availability();
        const key = JSON.stringify(availability);
        if (key !== last) {
          last = key;
          this.report(availability);
          this.logger.info('card.presence', { available: availability.available });
        }
        const { modules } = await this.source.modules();
        await Promise.race([stopped, ...(modules.length > 0 ? modules.map((m) => m.waitForChange(this.waitMs)) : [delay(this.waitMs)])]);
      } catch (err) {
        this.logger.warn('card.presence_failed', { error: String(err) });
        await Promise.race([stopped, delay(this.waitMs)]);
      }
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
