/**
 * An application asked for sign-in: the window asks the clinician, who signs in or says "not now".
 * Several applications asking at once share the one question.
 */
export class SignInPrompt {
  private waiting: { promise: Promise<boolean>; resolve: (yes: boolean) => void } | null = null;
  private readonly listeners = new Set<(asking: boolean) => void>();

  public get asking(): boolean {
    return this.waiting !== null;
  }

  public ask(signal: AbortSignal): Promise<boolean> {
    if (!this.waiting) {
      let resolve: (yes: boolean) => void = () => undefined;
      const promise = new Promise<boolean>((r) => {
        resolve = r;
      });
      this.waiting = { promise, resolve };
      this.emit();
    }
    const { promise } = this.waiting;
    return new Promise((resolve) => {
      const onAbort = () => {
        this.answer(false);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      void promise.then((yes) => {
        signal.removeEventListener('abort', onAbort);
        resolve(yes);
      });
    });
  }

  /** The clinician's answer; false if nothing was being asked. */
  public answer(yes: boolean): boolean {
    const waiting = this.waiting;
    if (!waiting) {
      return false;
    }
    this.waiting = null;
    waiting.resolve(yes);
    this.emit();
    return true;
  }

  public onChange(listener: (asking: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) {
      listener(this.asking);
    }
  }
}
