import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../main/platform/logger.js';
import { prepareItems } from '../../main/signing/prepare-items.js';
import { PreparePool } from '../../main/signing/prepare-pool.js';
import { PACKAGE_ROOT } from '../support/cli-process.js';
import { prepareCases } from '../support/eps-corpus.js';

// The built worker script (npm test builds before it runs these): the pool as the companion runs it.
const script = pathToFileURL(path.join(PACKAGE_ROOT, 'dist/main/signing/prepare-worker.js'));
const logger = createMemoryLogger();
const pool = new PreparePool(logger, { workers: 2, minBatch: 2, script });
afterAll(() => pool.close());

const cases = prepareCases();
const now = new Date('2026-12-04T10:00:00Z');

describe('PreparePool with worker threads', () => {
  it('gives exactly what reading inline gives, in the order sent, refusals included', async () => {
    const prescriptions = [
      ...cases.map((c, i) => ({ id: `rx-${i}`, format: 'fhir-bundle' as const, content: c.request, prepared: { digest: c.digest, timestamp: c.timestamp, algorithm: c.algorithm } })),
      { id: 'broken', format: 'fhir-bundle' as const, content: '{"resourceType":"Bundle"}' },
      { id: 'unprepared', format: 'fhir-bundle' as const, content: cases[0]!.request },
    ];
    const pooled = await pool.prepare({ prescriptions }, now);
    expect(pool.threads).toBe(2);
    const inline = prepareItems({ prescriptions }, () => now);
    expect(pooled).toEqual(inline);
    expect(pooled.ready.map((r) => r.prepared.digest).slice(0, cases.length)).toEqual(cases.map((c) => c.digest));
    expect(pooled.refused.map((r) => [r.id, r.error?.code])).toEqual([['broken', 'INVALID_CONTENT']]);
    expect(pooled.ready.at(-1)!.prepared.timestamp).toBe('2026-12-04T10:00:00+00:00');
  });

  it('reads inline when the worker script is not there', async () => {
    const inlineOnly = new PreparePool(logger, { minBatch: 1, script: pathToFileURL('/nonexistent/prepare-worker.js') });
    const result = await inlineOnly.prepare({ prescriptions: [{ id: 'a', format: 'fhir-bundle', content: cases[0]!.request }] }, now);
    expect(result.ready.map((r) => r.id)).toEqual(['a']);
    expect(inlineOnly.threads).toBe(0);
    await inlineOnly.close();
  });
});
