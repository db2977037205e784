import { expect } from 'vitest';
import { expectedProof } from '../../main/pipe/pairing/pairing-code.js';
import type { PipeHarness } from './pipe-harness.js';
import { RpcTestClient } from './rpc-client.js';

/**
 * A connection that has paired and proved its pairing, as a prescribing system does before it signs.
 * Pairing is approved in the window unless the policy approves it (sandbox automation, pre-approval).
 */
export async function pairedClient(harness: PipeHarness, name = 'Test EPR'): Promise<RpcTestClient> {
  const client = { name, version: '2.1', vendor: 'Test Systems Ltd' };
  const c = await RpcTestClient.connect(harness.endpoint);
  await c.request('companion.hello', { client, protocolVersion: 1 });
  const pairing = c.request('companion.pair', { client });
  const prompt = await Promise.race([
    pairing.then(() => null),
    expect.poll(() => harness.companion.state.current.pairing.prompts.find((p) => p.clientName === name)).toBeTruthy().then(
      () => harness.companion.state.current.pairing.prompts.find((p) => p.clientName === name) ?? null,
    ),
  ]);
  if (prompt) {
    await harness.companion.bridge.invoke('pairing.respond', [prompt.id, true]);
  }
  const { clientId, clientSecret } = (await pairing).result as { clientId: string; clientSecret: string };
  const again = await RpcTestClient.connect(harness.endpoint);
  await c.close();
  const { nonce } = (await again.request('companion.hello', { client, protocolVersion: 1 })).result as { nonce: string };
  const proved = (await again.request('companion.hello', { client, protocolVersion: 1, clientId, proof: expectedProof(clientSecret, nonce) })).result as { paired: boolean };
  expect(proved.paired).toBe(true);
  return again;
}
