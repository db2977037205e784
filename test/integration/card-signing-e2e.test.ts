import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfirmationView } from '../../preload/contract.js';
import type { Policy } from '../../main/policy/policy-schema.js';
import { prepareCases } from '../support/eps-corpus.js';
import { reviewedConfirmation, signResults } from '../support/confirmations.js';
import { pairedClient } from '../support/paired-client.js';
import { startPipeHarness, type PipeHarness } from '../support/pipe-harness.js';
import { buildFaultModule, createSoftHsmToken, type SoftHsm } from '../support/pkcs11-fixture.js';
import type { RpcTestClient } from '../support/rpc-client.js';

/**
 * The whole card path over the pipe, on a real PKCS#11 token: SoftHSM2, and SoftHSM behind the
 * fault-injecting library for what SoftHSM cannot do (lock, be pulled out, fail).
 */
const cases = prepareCases();
const rs256 = cases.find((c) => c.name === 'primary-care_acute_nominated-pharmacy_medical-prescriber_1')!;
const CLINICIAN = { uid: '555000000011', name: 'Dr Card Holder' };

let hsm: SoftHsm;
let faultLibrary: string;
let harness: PipeHarness | null = null;
const clients: RpcTestClient[] = [];
const faultEnv: string[] = [];

beforeAll(async () => {
  [hsm, faultLibrary] = await Promise.all([
    createSoftHsmToken({
      users: [
        { label: 'CLINICIAN CARD', uid: CLINICIAN.uid, name: 'DR_CARD_HOLDER', pin: '24680', privateKeyNeedsLogin: true },
        { label: 'COLLEAGUE CARD', uid: '555000000022', name: 'DR_COLLEAGUE', pin: '13579' },
      ],
    }),
    buildFaultModule(),
  ]);
  Object.assign(process.env, hsm.env);
});
afterAll(() => hsm?.cleanup());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  // Stopping the companion finalizes the library, so the next test can load it with other faults.
  await harness?.stop();
  harness = null;
  for (const name of faultEnv.splice(0)) {
    delete process.env[name];
  }
});

/** A sandbox whose card path is a real PKCS#11 library, signing in as the card's holder. */
async function start(options: { module?: string; faults?: Record<string, string>; autoApprove?: boolean; user?: { uid: string; name: string }; pin?: string } = {}) {
  if (options.faults) {
    Object.assign(process.env, { FAULT_PKCS11_TARGET: hsm.module, ...options.faults });
    faultEnv.push('FAULT_PKCS11_TARGET', ...Object.keys(options.faults));
  }
  const policy: Partial<Policy> = {
    pkcs11: { modules: [options.module ?? hsm.module] },
    sandbox: { autoApprove: options.autoApprove ?? true, cardPin: options.pin ?? '24680', user: options.user ?? CLINICIAN },
  };
  harness = await startPipeHarness(policy);
  const client = await pairedClient(harness);
  clients.push(client);
  const signingIn = harness.companion.session.signIn(new AbortController().signal);
  if (options.autoApprove === false) {
    // The clinician's click in the window.
    await expect.poll(() => harness!.companion.signInPrompt.answer(true)).toBe(true);
  }
  await signingIn;
  return client;
}

const item = (id: string, c = rs256) => ({ id, format: 'fhir-bundle', content: c.request, prepared: { digest: c.digest, timestamp: c.timestamp, algorithm: c.algorithm } });
const results = signResults;

const confirmation = (predicate?: (v: ConfirmationView) => boolean) => reviewedConfirmation(harness!, predicate);

describe('card signing on SoftHSM2 over the pipe', () => {
  it("signs a conformance prescription: the SignedInfo is EPS's digest, and openssl verifies the signature and the certificate", async () => {
    const c = await start();
    const answered = await c.request('signing.sign', { prescriptions: [item('rx')], signer: 'card' });
    const [result] = results(answered);
    expect(result).toMatchObject({ id: 'rx', status: 'signed', signedInfo: rs256.digest, timestamp: rs256.timestamp });
    const certificate = new X509Certificate(Buffer.from(result!.certificate!, 'base64'));
    expect(certificate.subject).toContain(`CN=${CLINICIAN.uid}_DR_CARD_HOLDER`);

    const dir = fs.mkdtempSync(path.join(hsm.dir, 'verify-'));
    const signature = Buffer.from(result!.signature!, 'base64').toString('utf8');
    fs.writeFileSync(path.join(dir, 'signed-info.xml'), Buffer.from(rs256.digest, 'base64'));
    fs.writeFileSync(path.join(dir, 'signature.bin'), Buffer.from(/<SignatureValue>([^<]+)</.exec(signature)![1]!, 'base64'));
    fs.writeFileSync(path.join(dir, 'public.pem'), certificate.publicKey.export({ type: 'spki', format: 'pem' }));
    fs.writeFileSync(path.join(dir, 'card.pem'), certificate.toString());
    fs.writeFileSync(path.join(dir, 'ca.pem'), hsm.caCertificatePem);
    const verified = execFileSync('openssl', ['dgst', '-sha256', '-verify', path.join(dir, 'public.pem'), '-signature', path.join(dir, 'signature.bin'), path.join(dir, 'signed-info.xml')], { encoding: 'utf8' });
    expect(verified.trim()).toBe('Verified OK');
    expect(execFileSync('openssl', ['verify', '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, 'card.pem')], { encoding: 'utf8' }).trim()).toMatch(/: OK$/);
  });

  it('signs a batch of 12 with one passcode', async () => {
    const c = await start();
    const batch = cases.slice(0, 12).map((testCase, i) => item(`rx-${i}`, testCase));
    const answered = results(await c.request('signing.sign', { prescriptions: batch }));
    expect(answered.map((r) => r.status)).toEqual(batch.map(() => 'signed'));
    expect(answered.map((r) => r.signedInfo)).toEqual(cases.slice(0, 12).map((t) => t.digest));
  });

  it("refuses a card that is someone else's, before any passcode", async () => {
    const c = await start({ user: { uid: '555000000099', name: 'Dr Not On Any Card' } });
    const answered = await c.request('signing.sign', { prescriptions: [item('rx')] });
    expect(answered.error?.data?.code).toBe('CARD_USER_MISMATCH');
    expect(answered.error?.message).toMatch(/belongs to DR CARD HOLDER|belongs to DR COLLEAGUE/);
  });

  it('says when the library named in the policy is missing, and nothing crashes', async () => {
    const c = await start({ module: '/nonexistent/libcard.so' });
    const answered = await c.request('signing.sign', { prescriptions: [item('rx')] });
    expect(answered.error?.data?.code).toBe('CARD_ABSENT');
    expect(answered.error?.message).toContain('/nonexistent/libcard.so');
    expect((await c.request('session.getStatus', {})).result).toMatchObject({ signers: { card: { available: false } } });
  });
});

describe('card faults over the pipe (fault-injecting PKCS#11 library in front of SoftHSM2)', () => {
  it('card pulled out mid-batch: the items signed are returned signed, the rest CARD_REMOVED', async () => {
    const c = await start({ module: faultLibrary, faults: { FAULT_REMOVE_AT_SIGN: '3' } });
    const answered = results(await c.request('signing.sign', { prescriptions: [1, 2, 3, 4, 5].map((n) => item(`rx-${n}`)) }));
    expect(answered.map((r) => [r.id, r.status, r.error?.code])).toEqual([
      ['rx-1', 'signed', undefined],
      ['rx-2', 'signed', undefined],
      ['rx-3', 'failed', 'CARD_REMOVED'],
      ['rx-4', 'failed', 'CARD_REMOVED'],
      ['rx-5', 'failed', 'CARD_REMOVED'],
    ]);
    expect(answered[0]!.signature).not.toBeNull();
    expect(answered[2]!.signature).toBeNull();
    // The card stays out: the next request finds only the colleague's card in the reader.
    const next = await c.request('signing.sign', { prescriptions: [item('rx-6')] });
    expect(next.error?.data?.code).toBe('CARD_USER_MISMATCH');
  });

  it('a device error and a lost session are retried once, and the batch completes', async () => {
    // Two signatures are in flight at a time, so a lost session fails two; the session is reopened once.
    const c = await start({ module: faultLibrary, faults: { FAULT_DEVICE_ERROR_AT_SIGN: '2', FAULT_SESSION_INVALID_AT_SIGN: '6' } });
    const batch = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => item(`rx-${n}`));
    const answered = results(await c.request('signing.sign', { prescriptions: batch }));
    expect(answered.map((r) => r.status)).toEqual(batch.map(() => 'signed'));
    expect(new Set(answered.map((r) => r.signature)).size).toBe(1);
  });

  it('wrong passcodes show tries left, the last try is asked first, and a locked card is never tried', async () => {
    const state = path.join(hsm.dir, `tries-${Date.now()}`);
    const c = await start({ module: faultLibrary, faults: { FAULT_PIN_TRIES: '3', FAULT_STATE_FILE: state }, autoApprove: false });
    const respond = (view: ConfirmationView, passcode: string, confirmFinalTry = false) =>
      harness!.companion.bridge.invoke('signing.respond', [view.id, { approve: true, itemIds: view.items.map((i) => i.id), passcode, confirmFinalTry, cardKey: null }]);
    const signing = c.request('signing.sign', { prescriptions: [item('rx')] });
    let view = await confirmation();
    expect(view.signer.cards.map((card) => card.tokenLabel)).toEqual(['CLINICIAN CARD']);
    await respond(view, '11111');
    view = await confirmation((v) => v.signer.passcode.countLow);
    expect(view.message).toMatch(/incorrect/);
    await respond(view, '11111');
    view = await confirmation((v) => v.signer.passcode.finalTry);
    expect(view.message).toMatch(/1 try left/);
    await respond(view, '24680');
    view = await confirmation((v) => /last try/.test(v.message ?? ''));
    // Confirmed, and right: the card signs and its counter is reset.
    await respond(view, '24680', true);
    expect(results(await signing)[0]!.status).toBe('signed');

    const again = c.request('signing.sign', { prescriptions: [item('rx')] });
    view = await confirmation();
    await respond(view, '00000');
    view = await confirmation((v) => v.signer.passcode.countLow);
    await respond(view, '00000');
    view = await confirmation((v) => v.signer.passcode.finalTry);
    await respond(view, '00000', true);
    expect((await again).error?.data?.code).toBe('PIN_LOCKED');
    // Locked: refused before the confirmation, with what to do.
    const refused = await c.request('signing.sign', { prescriptions: [item('rx')] });
    expect(refused.error?.data?.code).toBe('PIN_LOCKED');
    expect(refused.error?.message).toMatch(/registration authority/);
    expect(harness!.companion.state.current.signing.current).toBeNull();
  });

  it('a PIN pad reader: the window counts down while the passcode is typed on the reader, then the card signs', async () => {
    const c = await start({ module: faultLibrary, faults: { FAULT_PIN_PAD: '1', FAULT_PIN_PAD_PIN: '24680', FAULT_PIN_PAD_DELAY_MS: '300' }, autoApprove: false });
    const stages: string[] = [];
    const stop = harness!.companion.state.subscribe((snapshot) => {
      const stage = snapshot.signing.current?.stage;
      if (stage && stages.at(-1) !== stage) {
        stages.push(stage);
      }
      if (stage === 'pin-pad') {
        expect(Date.parse(snapshot.signing.current!.pinPadDeadline!)).toBeGreaterThan(Date.now());
      }
    });
    const signing = c.request('signing.sign', { prescriptions: [item('rx')] });
    const view = await confirmation();
    expect(view.signer.passcode.pinPad).toBe(true);
    await harness!.companion.bridge.invoke('signing.respond', [view.id, { approve: true, itemIds: ['rx'], passcode: null, confirmFinalTry: false, cardKey: null }]);
    expect(results(await signing)[0]!.status).toBe('signed');
    stop();
    expect(stages).toEqual(['review', 'pin-pad', 'signing']);
  });
});
