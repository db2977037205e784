import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../main/platform/logger.js';
import { CardModules } from '../../main/signing/card/card-modules.js';
import { CardSigner } from '../../main/signing/card/card-signer.js';
import { Pkcs11Module } from '../../main/signing/card/pkcs11-module.js';
import { type SigningError } from '../../main/signing/signing-error.js';
import { buildFaultModule, createSoftHsmToken, type SoftHsm } from '../support/pkcs11-fixture.js';

/** Slow cards (seconds per signature): the batch waits as long as allowed, then says plainly why it stopped. */
const CLINICIAN = { uid: '555000000033', name: 'Dr Slow Card' };
let hsm: SoftHsm;
let library: string;

beforeAll(async () => {
  [hsm, library] = await Promise.all([createSoftHsmToken({ users: [{ label: 'SLOW CARD', uid: CLINICIAN.uid, name: 'DR_SLOW_CARD', pin: '1111' }] }), buildFaultModule()]);
});
afterAll(() => hsm?.cleanup());

async function withSlowCard(delayMs: number, timeoutMs: number, test: (signer: CardSigner) => Promise<void>): Promise<void> {
  const env = { ...hsm.env, FAULT_PKCS11_TARGET: hsm.module, FAULT_SIGN_DELAY_MS: String(delayMs) };
  Object.assign(process.env, env);
  const modules = new CardModules({ kind: 'pkcs11', paths: [library], fromPolicy: true, load: (path) => Pkcs11Module.load(path) }, createMemoryLogger());
  try {
    await test(new CardSigner(modules, createMemoryLogger(), { signatureTimeoutMs: timeoutMs }));
  } finally {
    await modules.close();
    for (const name of Object.keys(env)) {
      delete process.env[name];
    }
  }
}

const items = [1, 2, 3].map((n) => ({ data: Buffer.from(`<SignedInfo>${n}</SignedInfo>`), algorithm: 'RS256' as const }));

describe('a slow card', () => {
  it('within the time allowed, every signature comes, in order', async () => {
    await withSlowCard(150, 2000, async (signer) => {
      const signing = await signer.open(CLINICIAN);
      expect(await signing.login(Buffer.from('1111'))).toEqual({ ok: true });
      const seen: number[] = [];
      await signing.signSeries(items, (index, outcome) => {
        expect(outcome).toBeInstanceOf(Buffer);
        seen.push(index);
      }, new AbortController().signal);
      expect(seen).toEqual([0, 1, 2]);
      await signing.end();
    });
  });

  it('past the time allowed, the batch stops with a plain CARD_ERROR', async () => {
    await withSlowCard(800, 200, async (signer) => {
      const signing = await signer.open(CLINICIAN);
      await signing.login(Buffer.from('1111'));
      const outcomes: (Buffer | SigningError)[] = [];
      await signing.signSeries(items, (_index, outcome) => outcomes.push(outcome), new AbortController().signal);
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]).toMatchObject({ code: 'CARD_ERROR', message: expect.stringContaining('did not answer within') as string });
      await expect(signing.signature(items[0]!.data, 'RS256')).rejects.toMatchObject({ code: 'CARD_ERROR' });
      await signing.end();
    });
  });
});
