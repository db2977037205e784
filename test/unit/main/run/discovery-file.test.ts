import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscoveryFile } from '../../../../main/run/discovery-file.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sc-disc-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('DiscoveryFile', () => {
  it('writes the documented fields, readable by the user only', async () => {
    const file = new DiscoveryFile(path.join(dir, 'run', 'companion.json'));
    await file.write({ pid: 123, pipe: '/p.sock', ui: 'http://127.0.0.1:1/s/t/', protocolVersion: 1 });
    const text = await fs.readFile(file.path, 'utf8');
    expect(JSON.parse(text)).toEqual({ pid: 123, pipe: '/p.sock', ui: 'http://127.0.0.1:1/s/t/', protocolVersion: 1 });
    expect((await fs.stat(file.path)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(path.dirname(file.path))).toEqual(['companion.json']);
  });

  it('removes the file only when it still describes this process', async () => {
    const file = new DiscoveryFile(path.join(dir, 'companion.json'));
    await file.write({ pid: 1, pipe: 'a', ui: null, protocolVersion: 1 });
    await file.remove(2);
    expect(await file.read()).not.toBeNull();
    await file.remove(1);
    expect(await file.read()).toBeNull();
  });
});
