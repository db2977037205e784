import { parentPort } from 'node:worker_threads';
import { prepareItems } from './prepare-items.js';
import type { SignRequest } from './sign-request.js';

/**
 * A worker that reads and prepares part of a batch (see prepare-pool.ts). It runs exactly the code the
 * main thread would, on plain data in and plain data out.
 */
interface PrepareJob {
  id: number;
  prescriptions: SignRequest['prescriptions'];
  algorithm: SignRequest['algorithm'];
  now: string;
}

parentPort?.on('message', (job: PrepareJob) => {
  try {
    const request: SignRequest = { prescriptions: job.prescriptions, ...(job.algorithm ? { algorithm: job.algorithm } : {}) };
    parentPort?.postMessage({ id: job.id, result: prepareItems(request, () => new Date(job.now)) });
  } catch (err) {
    parentPort?.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
  }
});
