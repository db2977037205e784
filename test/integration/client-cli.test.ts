import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanionClient, CompanionRpcError } from '../../main/client/companion-client.js';
import { runCli, type RunningCommand } from '../support/cli-process.js';
import { EPS_CORPUS, prepareCases } from '../support/eps-corpus.js';
import { createTempHome, type TempHome } from '../support/temp-home.js';

// A real headless host with sandbox automation, as a supplier's CI would run it.
let temp: TempHome;
let host: RunningCommand;
beforeAll(async () => {
  temp = await createTempHome();
  await temp.writePolicy({ environment: 'sandbox', sandbox: { autoApprove: true } });
  host = runCli(['serve'], temp.env);
  await host.waitForLine(/^Press Ctrl-C to stop\.$/);
});
afterAll(async () => {
  host.child.kill('SIGINT');
  await host.exited;
  await temp.cleanup();
});

const pipeOf = () => (JSON.parse(fs.readFileSync(`${temp.home}/run/companion.json`, 'utf8')) as { pipe: string }).pipe;

const finished = async (args: string[], env = temp.env) => {
  const command = runCli(args, env);
  const { code } = await command.exited;
  return { code, stdout: command.stdout.join('\n'), stderr: command.stderr.join('\n') };
};

describe('the TypeScript client', () => {
  it('finds the companion through the discovery file, pairs, and proves the pairing on a new connection', async () => {
    const info = { name: 'SDK Test EPR', version: '1.0' };
    const first = await CompanionClient.connect(info, pipeOf());
    expect((await first.hello()).environment).toBe('sandbox');
    expect(first.pairingCode()).toMatch(/^\d{6}$/);
    const credentials = await first.pair();
    await first.close();

    const second = await CompanionClient.connect(info, pipeOf());
    expect((await second.prove(credentials)).paired).toBe(true);
    expect((await second.getStatus()).signedIn).toBe(false);
    await second.close();
  });

  it("turns JSON-RPC errors into typed errors with the companion's name for them", async () => {
    const client = await CompanionClient.connect({ name: 'SDK', version: '1' }, pipeOf());
    const refused = await client.prove({ clientId: '00000000-0000-4000-8000-000000000000', clientSecret: 'AAAA' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CompanionRpcError);
    expect(refused).toMatchObject({ name: 'NOT_PAIRED', code: -32001 });
    const invalid = await client.call('companion.pair', { client: { name: '' } }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ name: 'INVALID_PARAMS', code: -32602 });
    await client.close();
  });
});

describe('signing-companion ping / status / pair', () => {
  it('ping names the companion and its environment', async () => {
    const result = await finished(['ping']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Signing Companion \S+, protocol 1, environment sandbox: answered in [\d.]+ ms$/);
  });

  it('status prints session.getStatus as JSON', async () => {
    const result = await finished(['status']);
    expect(JSON.parse(result.stdout)).toMatchObject({ signedIn: false, environment: 'sandbox' });
  });

  it('pair prints the code to compare, then writes credentials readable by the user only', async () => {
    const file = `${temp.home}/credentials.json`;
    const result = await finished(['pair', '--name', 'CI EPR', '--app-version', '3.1', '--save', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Pairing code: \d{6}\./);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ clientId: expect.any(String) as string, clientSecret: expect.any(String) as string });
  });

  it('says plainly when no companion is running', async () => {
    const elsewhere = await createTempHome();
    try {
      const result = await finished(['ping'], elsewhere.env);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^signing-companion: Signing Companion is not running for this user/);
    } finally {
      await elsewhere.cleanup();
    }
  });
});

describe('signing through the SDK and the CLI (sandbox automation approves)', () => {
  const testCase = prepareCases().find((c) => c.name === 'primary-care_acute_nominated-pharmacy_medical-prescriber_1')!;
  const caseDir = path.join(EPS_CORPUS, 'prepare', testCase.name);

  it('the SDK signs in, signs with progress, and returns the signature for the digest', async () => {
    const info = { name: 'SDK Signing EPR', version: '1.0' };
    const first = await CompanionClient.connect(info, pipeOf());
    await first.hello();
    const credentials = await first.pair();
    await first.close();
    const client = await CompanionClient.connect(info, pipeOf());
    await client.prove(credentials);
    expect((await client.signIn()).user.uid).toBe('555000000001');
    const stages: string[] = [];
    const [result] = await client.sign(
      { prescriptions: [{ id: 'one', format: 'fhir-bundle', content: testCase.request, prepared: { digest: testCase.digest, timestamp: testCase.timestamp, algorithm: testCase.algorithm } }] },
      { onProgress: (p) => stages.push(p.stage) },
    );
    expect(result).toMatchObject({ id: 'one', status: 'signed', signedInfo: testCase.digest, timestamp: testCase.timestamp });
    expect(stages.at(-1)).toBe('done');
    await client.close();
  });

  it('sign prints the results as JSON and exits 0 when every prescription is signed', async () => {
    const file = `${temp.home}/cli-credentials.json`;
    expect((await finished(['pair', '--name', 'CLI Signing EPR', '--app-version', '1', '--save', file])).code).toBe(0);
    const result = await finished(['sign', path.join(caseDir, 'prepare-request.json'), '--credentials', file, '--prepared', path.join(caseDir, 'prepare-response.json')]);
    expect(result.stderr).toContain('1/1 prepare-request.json: signed');
    expect(result.code).toBe(0);
    const { results } = JSON.parse(result.stdout) as { results: { id: string; status: string; signedInfo: string }[] };
    expect(results).toEqual([expect.objectContaining({ id: 'prepare-request.json', status: 'signed', signedInfo: testCase.digest })]);
  });

  it('sign exits 1 and reports per file when a prescription cannot be read', async () => {
    const file = `${temp.home}/cli-credentials.json`;
    const broken = `${temp.home}/broken.json`;
    fs.writeFileSync(broken, '{"resourceType": "Bundle", "entry": []}');
    const result = await finished(['sign', path.join(caseDir, 'prepare-request.json'), broken, '--credentials', file]);
    expect(result.code).toBe(1);
    const { results } = JSON.parse(result.stdout) as { results: { id: string; status: string; error?: { code: string } }[] };
    expect(results.map((r) => [r.id, r.status, r.error?.code])).toEqual([
      ['prepare-request.json', 'signed', undefined],
      ['broken.json', 'failed', 'INVALID_CONTENT'],
    ]);
  });

  it('sign without credentials says what it needs', async () => {
    const result = await finished(['sign', path.join(caseDir, 'prepare-request.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--credentials <file>/);
  });
});
