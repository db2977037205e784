import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanionClient, CompanionRpcError } from '../../main/client/companion-client.js';
import { runCli, type RunningCommand } from '../support/cli-process.js';
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
