import type { AppSnapshot } from '../../preload/contract.js';

/**
 * The one copy of what the clinician's window shows.
 *
 * Services update it; every host pushes each new snapshot to its window. Snapshots are replaced, never
 * mutated, so a window can never hold a half-updated view.
 */
export class AppState {
  private snapshot: AppSnapshot;
  private readonly listeners = new Set<(snapshot: AppSnapshot) => void>();

  constructor(initial: AppSnapshot) {
    this.snapshot = initial;
  }

  public get current(): AppSnapshot {
    return this.snapshot;
  }

  public update(change: (current: AppSnapshot) => AppSnapshot): void {
    this.snapshot = change(this.snapshot);
    for (const listener of this.listeners) {
      listener(this.snapshot);
    }
  }

  public subscribe(listener: (snapshot: AppSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
