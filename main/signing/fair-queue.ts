/**
 * Requests from several applications, served one at a time and in turn: the next request comes from the
 * application served longest ago (one never served first), so an application that sends many waits
 * behind its own requests only, and is told BUSY beyond its share.
 */
export class FairQueue<T> {
  /** Waiting items per client, in the order the clients first had something waiting. */
  private readonly byClient = new Map<string, T[]>();
  /** When each client was last served (a counter, not a clock). Bounded by the paired applications. */
  private readonly lastServed = new Map<string, number>();
  private served = 0;

  constructor(private readonly perClientLimit: number) {}

  /** Adds an item; false if this client already has its limit waiting. */
  public push(client: string, item: T): boolean {
    const waiting = this.byClient.get(client) ?? [];
    if (waiting.length >= this.perClientLimit) {
      return false;
    }
    waiting.push(item);
    this.byClient.set(client, waiting);
    return true;
  }

  /** The next item, from the client served longest ago. */
  public shift(): T | undefined {
    const client = this.nextClient(this.byClient, this.lastServed);
    if (client === undefined) {
      return undefined;
    }
    const waiting = this.byClient.get(client) ?? [];
    const item = waiting.shift();
    if (waiting.length === 0) {
      this.byClient.delete(client);
    }
    this.lastServed.set(client, ++this.served);
    return item;
  }

  /** Removes one waiting item (its request was cancelled); true if it was there. */
  public remove(client: string, item: T): boolean {
    const waiting = this.byClient.get(client);
    const index = waiting?.indexOf(item) ?? -1;
    if (!waiting || index < 0) {
      return false;
    }
    waiting.splice(index, 1);
    if (waiting.length === 0) {
      this.byClient.delete(client);
    }
    return true;
  }

  /** How many items will be served before this one (0 = next), or -1 if it is not waiting. */
  public positionOf(item: T): number {
    // Replays the choice on copies: the queue is small (clients × their limit), and this is plainly right.
    const queues = new Map([...this.byClient].map(([client, waiting]) => [client, [...waiting]]));
    const lastServed = new Map(this.lastServed);
    for (let served = 0; ; served++) {
      const client = this.nextClient(queues, lastServed);
      if (client === undefined) {
        return -1;
      }
      const waiting = queues.get(client) ?? [];
      if (waiting.shift() === item) {
        return served;
      }
      if (waiting.length === 0) {
        queues.delete(client);
      }
      lastServed.set(client, this.served + served + 1);
    }
  }

  /** Every waiting item, in no particular order. */
  public all(): T[] {
    return [...this.byClient.values()].flat();
  }

  public get size(): number {
    let size = 0;
    for (const waiting of this.byClient.values()) {
      size += waiting.length;
    }
    return size;
  }

  private nextClient(queues: Map<string, T[]>, lastServed: Map<string, number>): string | undefined {
    let best: string | undefined;
    let bestServed = Infinity;
    // Map order is arrival order, so ties go to the client that started waiting first.
    for (const client of queues.keys()) {
      const served = lastServed.get(client) ?? 0;
      if (served < bestServed) {
        best = client;
        bestServed = served;
      }
    }
    return best;
  }
}
