import type { ConfirmationAnswer, ConfirmationView } from '../../preload/contract.js';

export type BoardOutcome = { kind: 'answer'; answer: ConfirmationAnswer } | { kind: 'timeout' } | { kind: 'cancelled' };

/**
 * The one request in front of the clinician. Only one is shown at a time: the signing service puts it up,
 * updates it (a wrong passcode, progress) and takes it down; the window answers through `respond`.
 * An answer counts only for the confirmation it was given to, so a late click never approves the next one.
 */
export class ConfirmationBoard {
  private view: ConfirmationView | null = null;
  private waiter: ((outcome: BoardOutcome) => void) | null = null;
  private readonly listeners = new Set<(view: ConfirmationView | null) => void>();

  public get current(): ConfirmationView | null {
    return this.view;
  }

  public show(view: ConfirmationView): void {
    this.view = view;
    this.emit();
  }

  public update(change: Partial<ConfirmationView>): void {
    if (this.view) {
      this.view = { ...this.view, ...change };
      this.emit();
    }
  }

  public clear(): void {
    this.settle({ kind: 'cancelled' });
    this.view = null;
    this.emit();
  }

  /** Waits for the clinician's next answer to the confirmation shown now. */
  public next(signal: AbortSignal, timeoutMs: number): Promise<BoardOutcome> {
    this.settle({ kind: 'cancelled' });
    return new Promise((resolve) => {
      const done = (outcome: BoardOutcome) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (this.waiter === done) {
          this.waiter = null;
        }
        resolve(outcome);
      };
      const onAbort = () => done({ kind: 'cancelled' });
      const timer = setTimeout(() => done({ kind: 'timeout' }), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = done;
      if (signal.aborted) {
        onAbort();
      }
    });
  }

  /** The window's answer; false if that confirmation is not the one waiting. */
  public respond(id: string, answer: ConfirmationAnswer): boolean {
    if (!this.view || this.view.id !== id || this.view.stage !== 'review' || !this.waiter) {
      return false;
    }
    this.settle({ kind: 'answer', answer });
    return true;
  }

  public onChange(listener: (view: ConfirmationView | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private settle(outcome: BoardOutcome): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.(outcome);
  }

  private emit(): void {
    for (const listener of this.listeners) {
      listener(this.view);
    }
  }
}
