import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedProof, pairingCode } from '../../main/pipe/pairing/pairing-code.js';
import { RpcTestClient } from '../support/rpc-client.js';
import { startPipeHarness, type PipeHarness } from '../support/pipe-harness.js';

const client = { name: 'Test EPR', version: '2.1', vendor: 'Test Systems Ltd' };
let harness: PipeHarness | null = null;
const clients: RpcTestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await harness?.stop();
  harness = null;
});

async function connect(): Promise<RpcTestClient> {
  const c = await RpcTestClient.connect(harness!.endpoint);
  clients.push(c);
  return c;
}

async function hello(c: RpcTestClient, extra: object = {}) {
  return c.request('companion.hello', { client, protocolVersion: 1, ...extra });
}

/** Pairs as the clinician would: the prompt appears, its code matches the application's, approve. */
async function pairWithClinician(c: RpcTestClient): Promise<{ clientId: string; clientSecret: string }> {
  const { nonce } = (await hello(c)).result as { nonce: string };
  const pairing = c.request('companion.pair', { client });
  await expect.poll(() => harness!.companion.state.current.pairing.prompts.length).toBe(1);
  const prompt = harness!.companion.state.current.pairing.prompts[0]!;
  expect(prompt).toMatchObject({ clientName: 'Test EPR', clientVersion: '2.1', vendor: 'Test Systems Ltd', code: pairingCode(nonce) });
  expect(await harness!.companion.bridge.invoke('pairing.respond', [prompt.id, true])).toEqual({ ok: true, value: true });
  return (await pairing).result as { clientId: string; clientSecret: string };
}

describe('pipe API over a real socket', () => {
  it('hello issues a fresh nonce per connection and reports the environment', async () => {
    harness = await startPipeHarness();
    const [a, b] = [await connect(), await connect()];
    const first = (await hello(a)).result as { nonce: string; environment: string; paired: boolean; protocolVersion: number };
    expect(first).toMatchObject({ environment: 'sandbox', paired: false, protocolVersion: 1, server: { name: 'Signing Companion' } });
    expect(((await hello(a)).result as { nonce: string }).nonce).toBe(first.nonce);
    expect(((await hello(b)).result as { nonce: string }).nonce).not.toBe(first.nonce);
    expect((await a.request('companion.hello', { client, protocolVersion: 2 })).error?.data?.code).toBe('PROTOCOL_VERSION');
  });

  it('session.getStatus says who is signed in and which signers can sign, with reasons', async () => {
    harness = await startPipeHarness({ sandbox: { autoApprove: true } });
    const c = await connect();
    await expect.poll(async () => (await c.request('session.getStatus', {})).result).toEqual({
      signedIn: false,
      environment: 'sandbox',
      signers: {
        // The sandbox's software test card is always in its reader.
        card: { available: true },
        remote: { available: false, reason: expect.stringContaining('Signing Service') as string },
      },
    });
    harness.companion.session.signOut();
    await harness.companion.session.signIn(new AbortController().signal);
    const status = (await c.request('session.getStatus', {})).result as { expiresAt: string };
    expect(status).toMatchObject({ signedIn: true, aal: 'AAL3', user: { uid: '555000000001', name: 'Sandbox Clinician' } });
    expect(Date.parse(status.expiresAt)).toBeGreaterThan(Date.now());
  });


  it('pairs after the clinician approves a prompt whose code matches, then the app proves itself on a new connection', async () => {
    harness = await startPipeHarness();
    const { clientId, clientSecret } = await pairWithClinician(await connect());
    expect(harness.companion.state.current.pairing.paired).toMatchObject([{ clientId, name: 'Test EPR', approval: 'clinician' }]);

    const later = await connect();
    const { nonce } = (await hello(later)).result as { nonce: string };
    const proven = await hello(later, { clientId, proof: expectedProof(clientSecret, nonce) });
    expect(proven.result).toMatchObject({ paired: true, nonce });
  });

  it('refuses a wrong proof, a proof before the nonce, and a proof replayed on another connection', async () => {
    harness = await startPipeHarness();
    const { clientId, clientSecret } = await pairWithClinician(await connect());
    const c = await connect();
    expect((await hello(c, { clientId, proof: 'AAAA' })).error?.data?.code).toBe('NOT_PAIRED');
    const { nonce } = (await hello(c)).result as { nonce: string };
    expect((await hello(c, { clientId, proof: expectedProof(clientSecret, 'another nonce') })).error?.data?.code).toBe('NOT_PAIRED');
    const other = await connect();
    await hello(other);
    expect((await hello(other, { clientId, proof: expectedProof(clientSecret, nonce) })).error?.data?.code).toBe('NOT_PAIRED');
  });

  it('a declined or abandoned pairing gives DECLINED, and the prompt goes away', async () => {
    harness = await startPipeHarness();
    const c = await connect();
    await hello(c);
    const pairing = c.request('companion.pair', { client });
    await expect.poll(() => harness!.companion.state.current.pairing.prompts.length).toBe(1);
    await harness.companion.bridge.invoke('pairing.respond', [harness.companion.state.current.pairing.prompts[0]!.id, false]);
    expect((await pairing).error).toMatchObject({ code: -32003, data: { code: 'DECLINED' } });

    const leaving = await connect();
    await hello(leaving);
    void leaving.request('companion.pair', { client });
    await expect.poll(() => harness!.companion.state.current.pairing.prompts.length).toBe(1);
    await leaving.close();
    await expect.poll(() => harness!.companion.state.current.pairing.prompts.length).toBe(0);
  });

  it('pairing needs a hello first', async () => {
    harness = await startPipeHarness();
    expect((await (await connect()).request('companion.pair', { client })).error?.data?.code).toBe('HELLO_REQUIRED');
  });

  it('a revoked application can no longer prove itself', async () => {
    harness = await startPipeHarness();
    const { clientId, clientSecret } = await pairWithClinician(await connect());
    expect(await harness.companion.bridge.invoke('pairing.revoke', [clientId])).toEqual({ ok: true, value: true });
    const c = await connect();
    const { nonce } = (await hello(c)).result as { nonce: string };
    expect((await hello(c, { clientId, proof: expectedProof(clientSecret, nonce) })).error?.data?.code).toBe('NOT_PAIRED');
  });

  it('a policy may pre-approve an application by name: no prompt, recorded as policy', async () => {
    harness = await startPipeHarness({ clients: { preApproved: ['Test EPR'] } });
    const c = await connect();
    await hello(c);
    const paired = (await c.request('companion.pair', { client })).result as { clientId: string };
    expect(harness.companion.state.current.pairing.paired).toMatchObject([{ clientId: paired.clientId, approval: 'policy' }]);
  });

  it('sandbox automation approves without a person, and says so', async () => {
    harness = await startPipeHarness({ sandbox: { autoApprove: true } });
    const c = await connect();
    await hello(c);
    await c.request('companion.pair', { client });
    expect(harness.companion.state.current.pairing.paired).toMatchObject([{ approval: 'sandbox-automatic' }]);
  });

  it('pairings survive a restart; secrets are stored readable by the user only', async () => {
    harness = await startPipeHarness({ sandbox: { autoApprove: true } });
    const c = await connect();
    await hello(c);
    const { clientId, clientSecret } = (await c.request('companion.pair', { client })).result as { clientId: string; clientSecret: string };
    expect(statSync(`${harness.home.home}/paired-clients.json`).mode & 0o777).toBe(0o600);
    await c.close();
    await harness.companion.stop();
    await harness.companion.start();
    const again = await connect();
    const { nonce } = (await hello(again)).result as { nonce: string };
    expect((await hello(again, { clientId, proof: expectedProof(clientSecret, nonce) })).result).toMatchObject({ paired: true });
  });
});
