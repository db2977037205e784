import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeHarness, type PipeHarness } from '../support/pipe-harness.js';

// Creating an OS user needs root, as CI runs; elsewhere this describes what root would see.
const isRoot = process.getuid?.() === 0 && process.platform === 'linux';

describe.runIf(isRoot)("another OS user cannot reach this user's companion", () => {
  const user = `sc-other-${process.pid}`;
  let uid = 0;
  let gid = 0;
  let harness: PipeHarness;

  beforeAll(async () => {
    execFileSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', user]);
    uid = Number(execFileSync('id', ['-u', user]).toString().trim());
    gid = Number(execFileSync('id', ['-g', user]).toString().trim());
    harness = await startPipeHarness();
    // Open the home itself, so only the run folder and the socket stand in the way.
    fs.chmodSync(harness.home.home, 0o755);
  });
  afterAll(async () => {
    await harness.stop();
    execFileSync('userdel', [user]);
  });

  /** Tries to connect as the other user; returns the error code, or "connected". */
  function connectAsOtherUser(): string {
    const script = `const s=require('net').connect(${JSON.stringify(harness.endpoint)});s.on('connect',()=>{console.log('connected');process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(0)})`;
    const run = spawnSync(process.execPath, ['-e', script], { uid, gid, encoding: 'utf8', cwd: '/', timeout: 10_000 });
    return run.stdout.trim() || run.stderr.trim();
  }

  it('is refused by the run folder (mode 0700)', () => {
    expect(fs.statSync(`${harness.home.home}/run`).mode & 0o777).toBe(0o700);
    expect(connectAsOtherUser()).toBe('EACCES');
  });

  it('is refused by the socket itself (mode 0600), even if the folder were opened', () => {
    fs.chmodSync(`${harness.home.home}/run`, 0o755);
    try {
      expect(fs.statSync(harness.endpoint).mode & 0o777).toBe(0o600);
      expect(connectAsOtherUser()).toBe('EACCES');
    } finally {
      fs.chmodSync(`${harness.home.home}/run`, 0o700);
    }
  });

  it('while the owner connects as usual', async () => {
    const { RpcTestClient } = await import('../support/rpc-client.js');
    const c = await RpcTestClient.connect(harness.endpoint);
    expect((await c.request('session.getStatus', {})).result).toMatchObject({ signedIn: false });
    await c.close();
  });
});
