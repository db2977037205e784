import { verify, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfirmationAnswer, ConfirmationView } from '../../preload/contract.js';
import { verifyContent } from '../../main/prescriptions/verify-content.js';
import type { Policy } from '../../main/policy/policy-schema.js';
import { prepareCases, signedExample } from '../support/eps-corpus.js';
import { reviewedConfirmation, signResults } from '../support/confirmations.js';
import { pairedClient } from '../support/paired-client.js';
import { startPipeHarness, type PipeHarness } from '../support/pipe-harness.js';
import { RpcTestClient } from '../support/rpc-client.js';
import { signedBundle } from '../support/signed-bundle.js';

const cases = prepareCases();
const acute = cases.find((c) => c.name === 'primary-care_acute_nominated-pharmacy_medical-prescriber_1')!;
const controlled = cases.find((c) => c.name.includes('controlled-drugs_1') && c.name.includes('clinical-practitioner'))!;

let harness: PipeHarness | null = null;
const clients: RpcTestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await harness?.stop();
  harness = null;
});

async function start(policy: Partial<Policy> = {}, signing = {}): Promise<PipeHarness> {
  harness = await startPipeHarness(policy, 1000, signing);
  return harness;
}

async function paired(name = 'Test EPR'): Promise<RpcTestClient> {
  const c = await pairedClient(harness!, name);
  clients.push(c);
  return c;
}

const prescription = (c: (typeof cases)[number], id = c.name, prepared = true) => ({
  id,
  format: 'fhir-bundle',
  content: c.request,
  ...(prepared ? { prepared: { digest: c.digest, timestamp: c.timestamp, algorithm: c.algorithm } } : {}),
});

const confirmation = (predicate?: (v: ConfirmationView) => boolean) => reviewedConfirmation(harness!, predicate);

function answer(view: ConfirmationView, change: Partial<ConfirmationAnswer> = {}) {
  return harness!.companion.bridge.invoke('signing.respond', [
    view.id,
    { approve: true, itemIds: view.items.map((i) => i.id), passcode: '1234', confirmFinalTry: false, cardKey: null, ...change },
  ]);
}

async function signIn(c: RpcTestClient): Promise<void> {
  const signingIn = c.request('session.signIn', {});
  if (!harness!.companion.state.current.session.signedIn) {
    await expect.poll(() => harness!.companion.state.current.session.signInRequested).toBe(true);
    await harness!.companion.bridge.invoke('session.signIn', []);
  }
  expect((await signingIn).result).toMatchObject({ signedIn: true, user: { uid: '555000000001' } });
}

const results = signResults;

describe('signing.sign in the sandbox, approved by sandbox automation', () => {
  it('returns a signature whose SignedInfo is exactly EPS $prepare digest, and which verifies in the Bundle', async () => {
    await start({ sandbox: { autoApprove: true } });
    const c = await paired();
    expect((await c.request('session.signIn', {})).result).toMatchObject({ signedIn: true, aal: 'AAL3' });
    const answered = await c.request('signing.sign', { prescriptions: [prescription(acute)], signer: 'card' });
    const [result] = results(answered);
    expect(result).toMatchObject({ id: acute.name, status: 'signed', timestamp: acute.timestamp, signedInfo: acute.digest });
    const certificate = new X509Certificate(Buffer.from(result!.certificate!, 'base64'));
    expect(certificate.subject).toContain('CN=555000000001_SANDBOX_CLINICIAN');
    const signature = Buffer.from(result!.signature!, 'base64').toString('utf8');
    const value = Buffer.from(/<SignatureValue>([^<]+)<\/SignatureValue>/.exec(signature)![1]!, 'base64');
    expect(verify('sha256', Buffer.from(acute.digest, 'base64'), certificate.publicKey, value)).toBe(true);
    // Placed in the Bundle as a supplier would, content, time and signature verify. The only complaint is
    // that the sandbox card was made today, after EPS's 2024 prepare timestamp.
    const verdict = verifyContent('fhir-bundle', signedBundle(acute.request, result!.signature!, result!.timestamp!));
    expect(verdict).toMatchObject({ signatureValid: true, digestMatches: true });
    expect(verdict.errors).toEqual([`The certificate was not valid at the signing time ${acute.timestamp}.`]);
    // Progress came on the same connection, ending with done.
    const progress = c.unsolicited.filter((m) => (m as { method?: string }).method === 'signing.progress').map((m) => (m as { params: { stage: string } }).params.stage);
    expect(progress).toEqual(expect.arrayContaining(['confirming', 'signing', 'done']));
    expect(progress.at(-1)).toBe('done');
  });

  it('signs an HL7 V3 ParentPrescription with RS1, keeping its own signing time', async () => {
    await start({ sandbox: { autoApprove: true } });
    const c = await paired();
    await c.request('session.signIn', {});
    const xml = signedExample('ValidSignature.xml');
    const [result] = results(await c.request('signing.sign', { prescriptions: [{ id: 'v3', format: 'hl7v3', content: xml }], algorithm: 'RS1' }));
    expect(result).toMatchObject({ status: 'signed' });
    const signedInfo = Buffer.from(result!.signedInfo!, 'base64').toString('utf8');
    expect(signedInfo).toContain('xmldsig#rsa-sha1');
    expect(result!.timestamp).toMatch(/^20\d\d-/);
  });

  it('refuses per item a digest that disagrees with the content, and content it cannot read, and signs the rest', async () => {
    await start({ sandbox: { autoApprove: true } });
    const c = await paired();
    await c.request('session.signIn', {});
    const mismatched = { ...prescription(acute, 'wrong-digest'), prepared: { digest: controlled.digest, timestamp: acute.timestamp, algorithm: acute.algorithm } };
    const answered = await c.request('signing.sign', {
      prescriptions: [prescription(acute, 'good'), mismatched, { id: 'broken', format: 'fhir-bundle', content: '{"resourceType":"Bundle"' }],
    });
    const byId = Object.fromEntries(results(answered).map((r) => [r.id, r]));
    expect(byId.good).toMatchObject({ status: 'signed', signedInfo: acute.digest });
    expect(byId['wrong-digest']).toMatchObject({ status: 'failed', signature: null, error: { code: 'DIGEST_MISMATCH' } });
    expect(byId['wrong-digest']!.error!.message).toMatch(/different prescription content/);
    expect(byId.broken).toMatchObject({ status: 'failed', error: { code: 'INVALID_CONTENT' } });
    expect(results(answered).map((r) => r.id)).toEqual(['good', 'wrong-digest', 'broken']);
  });

  it('a prescription without prepared values is timed when read, and the result says when', async () => {
    await start({ sandbox: { autoApprove: true } });
    const c = await paired();
    await c.request('session.signIn', {});
    const before = Date.now();
    const [result] = results(await c.request('signing.sign', { prescriptions: [prescription(acute, 'fresh', false)] }));
    expect(result!.status).toBe('signed');
    expect(Date.parse(result!.timestamp!)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(verifyContent('fhir-bundle', signedBundle(acute.request, result!.signature!, result!.timestamp!))).toMatchObject({ valid: true, errors: [] });
  });
});

describe('who may sign', () => {
  it('refuses unpaired connections, and signing before sign-in', async () => {
    await start({ sandbox: { autoApprove: true } });
    const stranger = await RpcTestClient.connect(harness!.endpoint);
    clients.push(stranger);
    await stranger.request('companion.hello', { client: { name: 'x', version: '1' }, protocolVersion: 1 });
    expect((await stranger.request('signing.sign', { prescriptions: [prescription(acute)] })).error?.data?.code).toBe('NOT_PAIRED');
    expect((await stranger.request('session.signIn', {})).error?.data?.code).toBe('NOT_PAIRED');
    const c = await paired();
    expect((await c.request('signing.sign', { prescriptions: [prescription(acute)] })).error).toMatchObject({ code: -32002, data: { code: 'NOT_SIGNED_IN' } });
  });

  it('outside the sandbox, sign-in says plainly that CIS2 is not available yet, and nothing can sign', async () => {
    await start({ environment: 'int', clients: { preApproved: ['Test EPR'] } });
    const c = await paired();
    const signIn = await c.request('session.signIn', {});
    expect(signIn.error).toMatchObject({ code: -32021, data: { code: 'SIGN_IN_UNAVAILABLE' } });
    expect(signIn.error!.message).toMatch(/CIS2/);
    expect((await c.request('signing.sign', { prescriptions: [prescription(acute)] })).error?.data?.code).toBe('NOT_SIGNED_IN');
    expect(harness!.companion.state.current.session.signInUnavailable).toMatch(/CIS2/);
  });

  it('validates the request at the boundary: 1 to 250 prescriptions, unique ids, known formats', async () => {
    await start({ sandbox: { autoApprove: true } });
    const c = await paired();
    await c.request('session.signIn', {});
    expect((await c.request('signing.sign', { prescriptions: [] })).error?.code).toBe(-32602);
    const many = Array.from({ length: 251 }, (_, i) => ({ id: String(i), format: 'fhir-bundle', content: '{}' }));
    expect((await c.request('signing.sign', { prescriptions: many })).error?.code).toBe(-32602);
    const twice = await c.request('signing.sign', { prescriptions: [prescription(acute, 'a'), prescription(acute, 'a')] });
    expect(twice.error?.message).toMatch(/duplicates the id "a"/);
    expect((await c.request('signing.sign', { prescriptions: [{ id: 'x', format: 'pdf', content: 'x' }] })).error?.code).toBe(-32602);
    expect((await c.request('signing.sign', { prescriptions: [prescription(acute)], signer: 'remote' })).error?.data?.code).toBe('SIGNER_UNAVAILABLE');
  });
});

describe('the clinician confirms', () => {
  it('shows the prescription, refuses a wrong passcode with the tries left, then signs', async () => {
    await start();
    const c = await paired();
    await signIn(c);
    const signing = c.request('signing.sign', { prescriptions: [prescription(controlled, 'cd')] });
    let view = await confirmation();
    expect(view.clientName).toBe('Test EPR');
    expect(view.items[0]!.prescription.items.some((i) => i.controlledDrug !== null)).toBe(true);
    expect(view.signer.cards[0]).toMatchObject({ tokenLabel: 'SANDBOX TEST CARD', uid: '555000000001' });
    expect(await answer(view, { passcode: '9999' })).toEqual({ ok: true, value: true });
    view = await confirmation((v) => v.message !== null);
    expect(view.message).toMatch(/incorrect/);
    expect(view.signer.passcode.countLow).toBe(true);
    await answer(view, { passcode: '1234' });
    expect(results(await signing)[0]).toMatchObject({ id: 'cd', status: 'signed', signedInfo: controlled.digest });
    expect(harness!.companion.state.current.signing.current).toBeNull();
  });

  it('a passcode of the wrong length is refused in the window and spends no try', async () => {
    await start();
    const c = await paired();
    await signIn(c);
    const signing = c.request('signing.sign', { prescriptions: [prescription(acute)] });
    let view = await confirmation();
    expect(view.signer.passcode).toMatchObject({ minLength: 4, maxLength: 8 });
    await answer(view, { passcode: '12' });
    view = await confirmation((v) => v.message !== null);
    expect(view.message).toBe('Your smartcard passcode is 4 to 8 characters long. Nothing was sent to the card.');
    expect(view.signer.passcode.countLow).toBe(false);
    await answer(view, { passcode: '1234' });
    expect(results(await signing)[0]!.status).toBe('signed');
  });

  it('asks before the last try, and a locked card is never tried', async () => {
    await start();
    const c = await paired();
    await signIn(c);
    const signing = c.request('signing.sign', { prescriptions: [prescription(acute)] });
    let view = await confirmation();
    await answer(view, { passcode: '0000' });
    view = await confirmation((v) => v.signer.passcode.countLow);
    await answer(view, { passcode: '0000' });
    view = await confirmation((v) => v.signer.passcode.finalTry);
    expect(view.message).toMatch(/1 try left/);
    // Without confirming the last try, the passcode is not even tried.
    await answer(view, { passcode: '0000' });
    view = await confirmation((v) => /last try/.test(v.message ?? ''));
    expect(view.signer.passcode.finalTry).toBe(true);
    await answer(view, { passcode: '0000', confirmFinalTry: true });
    expect((await signing).error).toMatchObject({ data: { code: 'PIN_LOCKED' } });
    expect((await signing).error!.message).toMatch(/registration authority/);
    // The next request meets the locked card before any confirmation is shown.
    const again = await c.request('signing.sign', { prescriptions: [prescription(acute)] });
    expect(again.error?.data?.code).toBe('PIN_LOCKED');
  });

  it('declining returns every item declined; unticked items are declined and the rest signed', async () => {
    await start();
    const c = await paired();
    await signIn(c);
    const declined = c.request('signing.sign', { prescriptions: [prescription(acute, 'a'), prescription(controlled, 'b')] });
    await harness!.companion.bridge.invoke('signing.respond', [(await confirmation()).id, { approve: false, itemIds: [], passcode: null, confirmFinalTry: false, cardKey: null }]);
    expect(results(await declined).map((r) => [r.id, r.status, r.error?.code])).toEqual([
      ['a', 'declined', 'DECLINED'],
      ['b', 'declined', 'DECLINED'],
    ]);
    const partial = c.request('signing.sign', { prescriptions: [prescription(acute, 'a'), prescription(controlled, 'b')] });
    await answer(await confirmation(), { itemIds: ['b'] });
    expect(results(await partial).map((r) => [r.id, r.status])).toEqual([
      ['a', 'declined'],
      ['b', 'signed'],
    ]);
  });

  it('an answer for another confirmation, or after the fact, approves nothing', async () => {
    await start();
    const c = await paired();
    await signIn(c);
    const signing = c.request('signing.sign', { prescriptions: [prescription(acute)] });
    const view = await confirmation();
    expect(await answer({ ...view, id: '00000000-0000-4000-8000-000000000000' })).toEqual({ ok: true, value: false });
    expect(harness!.companion.state.current.signing.current?.id).toBe(view.id);
    await answer(view);
    await signing;
    expect(await answer(view)).toEqual({ ok: true, value: false });
  });

  it('times out when nobody answers', async () => {
    await start({}, { confirmTimeoutMs: 300 });
    const c = await paired();
    await signIn(c);
    const answered = await c.request('signing.sign', { prescriptions: [prescription(acute)] });
    expect(answered.error?.data?.code).toBe('TIMEOUT');
    expect(harness!.companion.state.current.signing.current).toBeNull();
  });
});

describe('queue, cancellation and disconnection', () => {
  it('serves applications in turn, one confirmation at a time', async () => {
    await start();
    const a = await paired('EPR A');
    const b = await paired('EPR B');
    await signIn(a);
    const order: string[] = [];
    const fromA = [1, 2, 3].map((n) => a.request('signing.sign', { prescriptions: [prescription(acute, `a${n}`)] }));
    await expect.poll(() => harness!.companion.signing.waiting).toBe(2);
    const fromB = b.request('signing.sign', { prescriptions: [prescription(acute, 'b1')] });
    await expect.poll(() => harness!.companion.signing.waiting).toBe(3);
    for (let i = 0; i < 4; i++) {
      const view = await confirmation((v) => !order.includes(v.items[0]!.id));
      order.push(view.items[0]!.id);
      await answer(view);
    }
    await Promise.all([...fromA, fromB]);
    // B's one request is served after A's first, not after all of A's.
    expect(order).toEqual(['a1', 'b1', 'a2', 'a3']);
    // A queued request was told its place.
    const queued = b.unsolicited.map((m) => (m as { params?: { stage?: string; position?: number } }).params).filter((p) => p?.stage === 'queued');
    expect(queued[0]?.position).toBeGreaterThanOrEqual(1);
  });

  it('$/cancelRequest withdraws the confirmation being shown; nothing is signed', async () => {
    await start();
    const c = await paired();
    await signIn(c);
    const { id, answer: signing } = c.start('signing.sign', { prescriptions: [prescription(acute)] });
    const view = await confirmation();
    c.notify('$/cancelRequest', { id });
    expect((await signing).error?.data?.code).toBe('CANCELLED');
    expect(harness!.companion.state.current.signing.current).toBeNull();
    expect(await answer(view)).toEqual({ ok: true, value: false });
  });

  it('a client that disconnects cancels its own pending requests and no one else’s', async () => {
    await start();
    const a = await paired('EPR A');
    const b = await paired('EPR B');
    await signIn(a);
    void a.request('signing.sign', { prescriptions: [prescription(acute, 'a1')] });
    void a.request('signing.sign', { prescriptions: [prescription(acute, 'a2')] });
    await confirmation((v) => v.items[0]!.id === 'a1');
    const fromB = b.request('signing.sign', { prescriptions: [prescription(acute, 'b1')] });
    await expect.poll(() => harness!.companion.signing.waiting).toBe(2);
    await a.close();
    // A's shown request and its queued one go; B's comes to the front.
    const view = await confirmation((v) => v.items[0]!.id === 'b1');
    expect(harness!.companion.signing.waiting).toBe(0);
    await answer(view);
    expect(results(await fromB)[0]!.status).toBe('signed');
  });

  it('answers BUSY past one application’s share of the queue, and keeps serving', async () => {
    await start({}, { perClientLimit: 2 });
    const c = await paired();
    await signIn(c);
    const first = c.request('signing.sign', { prescriptions: [prescription(acute, 'shown')] });
    await confirmation();
    const queued = [c.request('signing.sign', { prescriptions: [prescription(acute, 'q1')] }), c.request('signing.sign', { prescriptions: [prescription(acute, 'q2')] })];
    expect((await c.request('signing.sign', { prescriptions: [prescription(acute, 'q3')] })).error?.data?.code).toBe('BUSY');
    for (const id of ['shown', 'q1', 'q2']) {
      await answer(await confirmation((v) => v.items[0]!.id === id));
    }
    expect(results(await first)[0]!.status).toBe('signed');
    expect((await Promise.all(queued)).map((r) => results(r)[0]!.status)).toEqual(['signed', 'signed']);
  });
});
