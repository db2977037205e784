import { randomUUID } from 'node:crypto';

export interface PairingPrompt {
  id: string;
  clientName: string;
  clientVersion: string;
  vendor: string | null;
  /** The code the calling application shows too. */
  code: string;
}

export type PairingAnswer = 'approved' | 'declined' | 'timeout';

/**
 * Asks the clinician whether an application may pair. Prompts wait until answered, declined or timed out;
 * the window lists them (`pending`) and answers through `respond`.
 */
export class PairingApprover {
  private readonly waiting = new Map<string, { prompt: PairingPrompt; resolve: (answer: PairingAnswer) => void; timer: NodeJS.Timeout }>();
  private readonly listeners = new Set<(pending: PairingPrompt[]) => void>();

  constructor(private readonly timeoutMs = 2 * 60 * 1000) {}

  /** Shows a prompt; returns its id (so its asker can withdraw it) and the clinician's answer to come. */
  public ask(request: Omit<PairingPrompt, 'id'>): { id: string; answer: Promise<PairingAnswer> } {
    const prompt: PairingPrompt = { id: randomUUID(), ...request };
    const answer = new Promise<PairingAnswer>((resolve) => {
      const timer = setTimeout(() => this.finish(prompt.id, 'timeout'), this.timeoutMs);
      this.waiting.set(prompt.id, { prompt, resolve, timer });
    });
    this.emit();
    return { id: prompt.id, answer };
  }

  /** The clinician's answer; false if the prompt no longer exists (already answered or timed out). */
  public respond(id: string, approve: boolean): boolean {
    return this.finish(id, approve ? 'approved' : 'declined');
  }

  /** Withdraws a prompt whose application went away. */
  public cancel(id: string): void {
    this.finish(id, 'declined');
  }

  public pending(): PairingPrompt[] {
    return [...this.waiting.values()].map((w) => w.prompt);
  }

  public onChange(listener: (pending: PairingPrompt[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private finish(id: string, answer: PairingAnswer): boolean {
    const entry = this.waiting.get(id);
    if (!entry) {
      return false;
    }
    clearTimeout(entry.timer);
    this.waiting.delete(id);
    entry.resolve(answer);
    this.emit();
    return true;
  }

  private emit(): void {
    const pending = this.pending();
    for (const listener of this.listeners) {
      listener(pending);
    }
  }
}
