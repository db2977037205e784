import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLiveCompanion } from '../../main/conformance/live-check.js';
import { checkTranscript } from '../../main/conformance/transcript-check.js';
import { runCli } from '../support/cli-process.js';
import { startPipeHarness, type PipeHarness } from '../support/pipe-harness.js';

const send = (message: object) => JSON.stringify({ dir: 'send', message: { jsonrpc: '2.0', ...message } });
const recv = (message: object) => JSON.stringify({ dir: 'recv', message: { jsonrpc: '2.0', ...message } });
const client = { name: 'Example EPR', version: '4.2' };
const nonce = Buffer.alloc(32, 7).toString('base64');

const goodSession = [
  send({ id: 1, method: 'companion.hello', params: { client, protocolVersion: 1 } }),
  recv({ id: 1, result: { server: { name: 'Signing Companion', version: '0.1.0' }, protocolVersion: 1, environment: 'sandbox', paired: false, nonce } }),
  send({ id: 2, method: 'companion.pair', params: { client } }),
  recv({ id: 2, error: { code: -32003, message: 'The clinician declined.', data: { code: 'DECLINED' } } }),
  send({ id: 3, method: 'session.getStatus', params: {} }),
  recv({ id: 3, result: { signedIn: false, environment: 'sandbox', signers: { card: { available: false }, remote: { available: false } } } }),
].join('\n');

describe('conformance kit: transcripts', () => {
  it('a session that follows the protocol has no findings', () => {
    expect(checkTranscript(goodSession)).toEqual([]);
  });

  it('follows a signing request: its progress, its cancellation and its answer', () => {
    const prescriptions = [{ id: 'rx-1', format: 'fhir-bundle', content: '{}' }];
    const signing = [
      send({ id: 1, method: 'companion.hello', params: { client, protocolVersion: 1 } }),
      recv({ id: 1, result: { server: { name: 'Signing Companion', version: '0.1.0' }, protocolVersion: 1, environment: 'sandbox', paired: true, nonce } }),
      send({ id: 2, method: 'signing.sign', params: { prescriptions } }),
      recv({ method: 'signing.progress', params: { requestId: 2, stage: 'confirming', done: 0, total: 1 } }),
      send({ method: '$/cancelRequest', params: { id: 2 } }),
      recv({ id: 2, error: { code: -32011, message: 'Cancelled.', data: { code: 'CANCELLED' } } }),
    ];
    expect(checkTranscript(signing.join('\n'))).toEqual([]);
    const wrong = [
      ...signing.slice(0, 2),
      send({ id: 2, method: 'signing.sign', params: { prescriptions: [] } }),
      recv({ method: 'signing.progress', params: { requestId: 7, stage: 'signing', done: 0, total: 1 } }),
      recv({ method: 'signing.progress', params: { requestId: 2, stage: 'thinking', done: 0, total: 1 } }),
      recv({ method: 'companion.surprise', params: {} }),
    ];
    expect(checkTranscript(wrong.join('\n')).map((f) => `${f.line} ${f.side}: ${f.problem}`)).toEqual([
      expect.stringMatching(/^3 application: invalid params for signing.sign at "prescriptions"/) as string,
      '4 companion: signing.progress for 7, which is not an open signing.sign request',
      '5 companion: signing.progress needs stage (queued, confirming, signing or done), done and total',
      '6 companion: unknown notification "companion.surprise"',
      '3 companion: request 2 (signing.sign) was never answered',
    ]);
  });

  it('names what the application did wrong, with the line', () => {
    const findings = checkTranscript(
      [
        send({ id: 1, method: 'companion.pair', params: { client } }),
        send({ id: 2, method: 'companion.hello', params: { client, protocolVersion: 1, clientId: '3f0c1a2b-0000-4000-8000-000000000000', proof: 'x' } }),
        send({ id: 3, method: 'companion.hello', params: { client: { name: 'x' }, protocolVersion: 1 } }),
        send({ id: 3, method: 'signing.nothing', params: {} }),
      ].join('\n'),
    );
    expect(findings.map((f) => `${f.line} ${f.side}: ${f.problem}`)).toEqual(
      expect.arrayContaining([
        '1 application: companion.pair before companion.hello has been answered',
        '2 application: a pairing proof before a hello issued the nonce it must be made over',
        expect.stringMatching(/^3 application: invalid params for companion.hello at "client.version"/) as string,
        '4 application: unknown method "signing.nothing"',
        '4 application: id 3 is reused while its request is still open',
      ]),
    );
  });

  it('names what the companion did wrong', () => {
    const findings = checkTranscript(
      [
        send({ id: 1, method: 'companion.hello', params: { client, protocolVersion: 1 } }),
        recv({ id: 9, result: {} }),
        recv({ id: 1, error: { code: -32001, message: 'Not paired.' } }),
        send({ id: 2, method: 'session.getStatus', params: {} }),
        recv({ id: 2, error: { code: -31999, message: '?' } }),
        send({ id: 4, method: 'session.getStatus', params: {} }),
      ].join('\n'),
    );
    expect(findings.map((f) => `${f.line} ${f.side}: ${f.problem}`)).toEqual([
      '2 companion: an answer with id 9 that matches no open request',
      '3 companion: error -32001 should carry data.code "NOT_PAIRED"',
      "5 companion: error code -31999 is not in the protocol's table",
      '6 companion: request 4 (session.getStatus) was never answered',
    ]);
  });
});

describe('conformance kit: the live companion', () => {
  let harness: PipeHarness;
  beforeAll(async () => {
    harness = await startPipeHarness();
  });
  afterAll(() => harness.stop());

  it('passes every check against this companion', async () => {
    const results = await checkLiveCompanion(harness.endpoint);
    expect(results.filter((r) => !r.passed)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(7);
  });

  it('the CLI runs both modes and exits 0 only when all is well', async () => {
    const live = runCli(['conformance', '--live', '--pipe', harness.endpoint], process.env);
    expect((await live.exited).code).toBe(0);
    expect(live.stdout.at(-1)).toMatch(/^\d+ passed, 0 failed$/);
    const file = `${harness.home.home}/session.jsonl`;
    fs.writeFileSync(file, `${goodSession}\n${send({ id: 5, method: 'nope' })}\n`);
    const offline = runCli(['conformance', file], process.env);
    expect((await offline.exited).code).toBe(1);
    expect(offline.stdout).toContain('line 7 (application): unknown method "nope"');
  });
});
