import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../platform/logger.js';
import { prepareItems, type ReadyItem } from './prepare-items.js';
import type { SignItemResult, SignRequest } from './sign-request.js';

export interface PreparedBatch {
  ready: ReadyItem[];
  refused: SignItemResult[];
}

/**
 * Reads and prepares a batch, sharing a large one between this thread and worker threads.
 *
 * Reading 250 prescriptions is some tens of milliseconds of parsing, translating, canonicalising and
 * hashing, all before the clinician can be shown anything. Workers run the very same `prepareItems` on
 * slices, so the result is the same as reading inline, only sooner; and the window stays responsive.
 * Without workers (the worker script is not built, or they fail) it reads inline.
 */
export class PreparePool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (batch: PreparedBatch) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private broken = false;

  constructor(
    private readonly logger: Logger,
    private readonly options: { workers?: number; minBatch?: number; script?: URL } = {},
  ) {}

  public async prepare(request: SignRequest, now: Date): Promise<PreparedBatch> {
    // Small batches are read inline, and never start a worker.
    const workers = request.prescriptions.length < (this.options.minBatch ?? 16) ? [] : this.ensureWorkers();
    if (workers.length === 0) {
      return prepareItems(request, () => now);
    }
    // This thread takes a slice too: with two cores, one worker and this thread halve the time.
    const parts = workers.length + 1;
    const size = Math.ceil(request.prescriptions.length / parts);
    const slices = Array.from({ length: parts }, (_, i) => request.prescriptions.slice(i * size, (i + 1) * size));
    const [own = [], ...rest] = slices;
    const pending = rest.map((prescriptions, i) => this.send(workers[i] as Worker, { prescriptions, algorithm: request.algorithm, now: now.toISOString() }));
    const mine = prepareItems({ prescriptions: own, ...(request.algorithm ? { algorithm: request.algorithm } : {}) }, () => now);
    const theirs = await Promise.all(pending);
    return {
      ready: [mine, ...theirs].flatMap((b) => b.ready),
      refused: [mine, ...theirs].flatMap((b) => b.refused),
    };
  }

  /** Worker threads running now (0 when reading inline). */
  public get threads(): number {
    return this.workers.length;
  }

  public async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private ensureWorkers(): Worker[] {
    if (this.workers.length > 0 || this.broken) {
      return this.workers;
    }
    const script = this.options.script ?? new URL('./prepare-worker.js', import.meta.url);
    const count = this.options.workers ?? Math.max(1, Math.min(3, os.availableParallelism() - 1));
    if (script.protocol !== 'file:' || !fs.existsSync(fileURLToPath(script))) {
      this.broken = true;
      return this.workers;
    }
    for (let i = 0; i < count; i++) {
      const worker = new Worker(script);
      worker.unref();
      worker.on('message', (message: { id: number; result?: PreparedBatch; error?: string }) => {
        const entry = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.result) {
          entry?.resolve(message.result);
        } else {
          entry?.reject(new Error(message.error ?? 'A prepare worker failed.'));
        }
      });
      worker.on('error', (err) => this.fail(err));
      this.workers.push(worker);
    }
    return this.workers;
  }

  private send(worker: Worker, job: { prescriptions: SignRequest['prescriptions']; algorithm: SignRequest['algorithm']; now: string }): Promise<PreparedBatch> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, ...job });
    });
  }

  /** A worker that fails takes the pool with it: later batches are read inline, and this one fails plainly. */
  private fail(err: Error): void {
    this.logger.error('prepare.worker_failed', { error: String(err) });
    this.broken = true;
    for (const entry of this.waiting.values()) {
      entry.reject(new Error('Reading the prescriptions failed in a worker thread.'));
    }
    this.waiting.clear();
    void this.close();
  }
}
