import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempHome, type TempHome } from '../support/temp-home.js';
import { runCli, type RunningCommand } from '../support/cli-process.js';
import { RpcTestClient } from '../support/rpc-client.js';

let temp: TempHome;
const running: RunningCommand[] = [];
beforeEach(async () => {
  temp = await createTempHome();
});
afterEach(async () => {
  for (const command of running.splice(0)) {
    if (command.child.exitCode === null && command.child.signalCode === null) {
      command.child.kill('SIGKILL');
      await command.exited;
    }
  }
  await temp.cleanup();
});

function serve(env = temp.env): RunningCommand {
  const command = runCli(['serve'], env);
  running.push(command);
  return command;
}

async function started(command: RunningCommand) {
  const pipe = (await command.waitForLine(/^Pipe: /)).slice('Pipe: '.length);
  const ui = (await command.waitForLine(/^UI: /)).replace(/^UI:\s+/, '');
  await command.waitForLine(/^Press Ctrl-C to stop\.$/);
  return { pipe, ui };
}

describe('signing-companion serve (headless host)', () => {
  it('starts within 10 seconds, prints the pipe and UI, and writes the discovery file', async () => {
    const began = Date.now();
    const command = serve();
    const { pipe, ui } = await started(command);
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(pipe).toBe(`${temp.home}/run/companion.sock`);
    expect(ui).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{43}\/$/);
    const discovery: unknown = JSON.parse(fs.readFileSync(`${temp.home}/run/companion.json`, 'utf8'));
    expect(discovery).toEqual({ pid: command.child.pid, pipe, ui, protocolVersion: 1 });
    expect(fs.statSync(pipe).mode & 0o777).toBe(0o600);
    expect(fs.statSync(`${temp.home}/run`).mode & 0o777).toBe(0o700);
  });

  it('marks the sandbox as not for clinical use from its first lines', async () => {
    const command = serve();
    await started(command);
    expect(command.stdout[0]).toBe('Signing Companion is running (headless). Environment: Sandbox.');
    expect(command.stdout[1]).toMatch(/^\*\*\* SANDBOX: Not for clinical use\./);
  });

  it('answers companion.hello on the pipe', async () => {
    const { pipe } = await started(serve());
    const client = await RpcTestClient.connect(pipe);
    const response = await client.request('companion.hello', { client: { name: 'Test EPR', version: '1.0' }, protocolVersion: 1 });
    expect(response.result).toMatchObject({
      server: { name: 'Signing Companion' },
      protocolVersion: 1,
      environment: 'sandbox',
      paired: false,
    });
    expect((response.result as { nonce: string }).nonce).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    await client.close();
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`stops cleanly on ${signal}: exit code 0, socket and discovery file removed`, async () => {
      const command = serve();
      const { pipe } = await started(command);
      const client = await RpcTestClient.connect(pipe);
      command.child.kill(signal);
      expect(await command.exited).toEqual({ code: 0, signal: null });
      expect(fs.existsSync(pipe)).toBe(false);
      expect(fs.existsSync(`${temp.home}/run/companion.json`)).toBe(false);
      expect(command.stdout.at(-1)).toBe('Stopped.');
      await client.close();
    });
  }

  it('stops cleanly when the signal arrives while it is still starting', async () => {
    const command = serve();
    // The run folder appears while the pipe server starts, before the window and the discovery file.
    while (!fs.existsSync(`${temp.home}/run`)) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    command.child.kill('SIGTERM');
    expect(await command.exited).toEqual({ code: 0, signal: null });
    expect(command.stdout.slice(-2)).toEqual(['Stopping (SIGTERM)…', 'Stopped.']);
    expect(fs.existsSync(`${temp.home}/run/companion.sock`)).toBe(false);
    expect(fs.existsSync(`${temp.home}/run/companion.json`)).toBe(false);
  });

  it('refuses to start a second instance for the same user, and the first keeps serving', async () => {
    const first = serve();
    const { pipe } = await started(first);
    const second = serve();
    expect((await second.exited).code).toBe(1);
    expect(second.stderr.join('\n')).toBe(
      'signing-companion: Signing Companion is already running for this user. Use the one that is running (its icon is in the tray).',
    );
    const client = await RpcTestClient.connect(pipe);
    expect((await client.request('companion.hello', { client: { name: 'x', version: '1' }, protocolVersion: 1 })).result).toBeDefined();
    await client.close();
  });

  it('replaces a socket left behind by a crash', async () => {
    const crashed = serve();
    const { pipe } = await started(crashed);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    expect(fs.existsSync(pipe)).toBe(true);
    const next = serve();
    expect((await started(next)).pipe).toBe(pipe);
  });

  it('refuses an invalid policy with a message naming the key, and no stack trace', async () => {
    await temp.writePolicy({ environment: 'production' });
    const command = serve();
    expect((await command.exited).code).toBe(1);
    const stderr = command.stderr.join('\n');
    expect(stderr).toContain('has an invalid value for "environment"');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(`${temp.home}/run/companion.sock`)).toBe(false);
  });

  it('runs the environment the machine policy names', async () => {
    await temp.writePolicy({ environment: 'int' });
    const command = serve();
    await started(command);
    expect(command.stdout[0]).toContain('Environment: Integration (INT).');
  });
});

describe('signing-companion CLI', () => {
  it('prints help and exits 0', async () => {
    const command = runCli(['--help'], temp.env);
    expect((await command.exited).code).toBe(0);
    expect(command.stdout.join('\n')).toMatch(/Usage: signing-companion <command>/);
  });

  it('rejects an unknown command with exit code 2', async () => {
    const command = runCli(['frobnicate'], temp.env);
    expect((await command.exited).code).toBe(2);
    expect(command.stderr.join('\n')).toContain('Unknown command "frobnicate"');
  });

  it('rejects a bad --port with exit code 2', async () => {
    const command = runCli(['serve', '--port', 'eighty'], temp.env);
    expect((await command.exited).code).toBe(2);
    expect(command.stderr.join('\n')).toContain('--port must be a whole number');
  });
});
