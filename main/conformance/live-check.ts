import net from 'node:net';
import { CompanionClient, CompanionRpcError } from '../client/companion-client.js';

export interface LiveResult {
  check: string;
  passed: boolean;
  detail?: string;
}

/**
 * Runs a scripted session against a running companion and checks each answer against the protocol:
 * what a supplier (or the companion's own CI) runs to know the other side follows the contract.
 */
export async function checkLiveCompanion(endpoint: string): Promise<LiveResult[]> {
  const results: LiveResult[] = [];
  const check = async (name: string, run: () => Promise<string | undefined>) => {
    try {
      const problem = await run();
      results.push(problem ? { check: name, passed: false, detail: problem } : { check: name, passed: true });
    } catch (err) {
      results.push({ check: name, passed: false, detail: (err as Error).message });
    }
  };
  const client = await CompanionClient.connect({ name: 'signing-companion conformance', version: '1' }, endpoint);
  let nonce = '';
  await check('hello answers protocol 1 with a 32-byte base64 nonce', async () => {
    const hello = await client.hello();
    nonce = hello.nonce;
    return hello.protocolVersion === 1 && Buffer.from(hello.nonce, 'base64').length === 32 ? undefined : `got ${JSON.stringify(hello)}`;
  });
  await check('a second hello on the connection keeps the nonce', async () => ((await client.hello()).nonce === nonce ? undefined : 'the nonce changed'));
  await check('session.getStatus answers signedIn, environment and both signers', async () => {
    const status = await client.getStatus();
    return typeof status.signedIn === 'boolean' && typeof status.signers.card.available === 'boolean' && typeof status.signers.remote.available === 'boolean'
      ? undefined
      : `got ${JSON.stringify(status)}`;
  });
  const expectError = (name: string, code: number, call: () => Promise<unknown>) =>
    check(name, async () => {
      const err = await call().then(() => null, (e: unknown) => e);
      return err instanceof CompanionRpcError && err.code === code ? undefined : `expected error ${code}, got ${err instanceof Error ? err.message : 'a result'}`;
    });
  await expectError('an unknown method gives -32601', -32601, () => client.call('companion.noSuchMethod'));
  await expectError('invalid params give -32602', -32602, () => client.call('companion.pair', { client: { name: 42 } }));
  await expectError('a wrong pairing proof gives NOT_PAIRED (-32001)', -32001, () =>
    client.prove({ clientId: '00000000-0000-4000-8000-000000000000', clientSecret: 'AAAA' }),
  );
  await expectError('signing.sign from an unproved connection gives NOT_PAIRED (-32001)', -32001, () =>
    client.call('signing.sign', { prescriptions: [{ id: 'x', format: 'fhir-bundle', content: '{}' }] }),
  );
  await expectError('session.signIn from an unproved connection gives NOT_PAIRED (-32001)', -32001, () => client.call('session.signIn', {}));
  await client.close();
  await check('a malformed frame is answered with BAD_FRAME and the connection closed', () =>
    new Promise<string | undefined>((resolve) => {
      const socket = net.connect(endpoint, () => socket.write('Content-Length: x\r\n\r\n'));
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString('utf8')));
      socket.on('error', () => undefined);
      // A companion that never closes is a failure too; the timer must not keep this process alive after.
      const timer = setTimeout(() => socket.destroy(), 5000);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(received.includes('"BAD_FRAME"') ? undefined : `got "${received.slice(0, 120)}"`);
      });
    }),
  );
  return results;
}
