import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcTestClient } from '../support/rpc-client.js';
import { startPipeHarness, type PipeHarness } from '../support/pipe-harness.js';

// One companion for the whole file: every attack hits the same process, which must keep serving.
let harness: PipeHarness;
let rssBefore = 0;
beforeAll(async () => {
  harness = await startPipeHarness({}, 1000);
  rssBefore = process.memoryUsage().rss;
});
afterAll(() => harness.stop());

/** After each attack, a new client must still get a correct answer. */
async function freshClientIsServed(): Promise<void> {
  const c = await RpcTestClient.connect(harness.endpoint);
  const answer = await c.request('companion.hello', { client: { name: 'After', version: '1' }, protocolVersion: 1 });
  expect(answer.result).toMatchObject({ environment: 'sandbox', paired: false });
  await c.close();
}

/** Sends bytes on a raw connection and collects what comes back until the server closes it. */
function attack(bytes: Buffer | string, { end = false } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(harness.endpoint);
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
    socket.on('connect', () => {
      socket.write(bytes);
      if (end) {
        socket.end();
      }
    });
    setTimeout(() => socket.destroy(), 5000);
  });
}

const frame = (body: string | Buffer) => Buffer.concat([Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`), Buffer.from(body)]);

describe('hostile input: the process never dies, a fresh client always gets an answer', () => {
  it('random bytes', async () => {
    const reply = await attack(randomBytes(64 * 1024));
    expect(reply).toMatch(/"code":"(BAD_FRAME|TOO_LARGE)"/);
    await freshClientIsServed();
  });

  it('a frame without Content-Length', async () => {
    expect(await attack('Content-Type: application/json\r\n\r\n{"jsonrpc":"2.0","id":1,"method":"companion.hello"}')).toContain('"code":"BAD_FRAME"');
    await freshClientIsServed();
  });

  it('a negative Content-Length', async () => {
    expect(await attack('Content-Length: -10\r\n\r\n{}')).toContain('"code":"BAD_FRAME"');
    await freshClientIsServed();
  });

  it('a huge Content-Length, refused before any body is read', async () => {
    expect(await attack('Content-Length: 9999999999\r\n\r\n')).toContain('"code":"TOO_LARGE"');
    expect(await attack(`Content-Length: ${8 * 1024 * 1024 + 1}\r\n\r\n`)).toContain('"code":"TOO_LARGE"');
    await freshClientIsServed();
  });

  it('headers over 1 KiB', async () => {
    expect(await attack(`X-Pad: ${'a'.repeat(2000)}\r\n`)).toContain('"code":"BAD_FRAME"');
    await freshClientIsServed();
  });

  it('invalid UTF-8 in the body: a parse error, and the connection goes on', async () => {
    const c = await RpcTestClient.connect(harness.endpoint);
    c.writeRaw(frame(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])));
    await expect.poll(() => c.unsolicited.length).toBe(1);
    expect(c.unsolicited[0]).toMatchObject({ error: { code: -32700 } });
    expect((await c.request('session.getStatus', {})).result).toMatchObject({ signedIn: false });
    await c.close();
  });

  it('JSON nested 100,000 deep', async () => {
    const c = await RpcTestClient.connect(harness.endpoint);
    const deep = `{"jsonrpc":"2.0","id":7,"method":"companion.hello","params":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    c.writeRaw(frame(deep));
    const deepParams = `{"jsonrpc":"2.0","id":8,"method":"companion.hello","params":{"client":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)},"protocolVersion":1}}`;
    c.writeRaw(frame(deepParams));
    expect((await c.request('session.getStatus', {})).result).toMatchObject({ signedIn: false });
    await c.close();
    await freshClientIsServed();
  });

  it('an array of 4 million elements inside the 8 MiB limit', async () => {
    const body = `{"jsonrpc":"2.0","id":9,"method":"companion.hello","params":[${'0,'.repeat(4_000_000 - 1)}0]}`;
    expect(Buffer.byteLength(body)).toBeLessThan(8 * 1024 * 1024);
    const c = await RpcTestClient.connect(harness.endpoint);
    c.writeRaw(frame(body));
    expect((await c.request('session.getStatus', {})).result).toMatchObject({ signedIn: false });
    await c.close();
    await freshClientIsServed();
  });

  it('a frame trickled one byte at a time is closed when it takes longer than the frame timeout', async () => {
    const socket = net.connect(harness.endpoint);
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('utf8')));
    const bytes = frame('{"jsonrpc":"2.0","id":1,"method":"session.getStatus","params":{}}');
    let sent = 0;
    const trickle = setInterval(() => {
      if (!socket.destroyed && sent < bytes.length) {
        socket.write(bytes.subarray(sent, ++sent));
      }
    }, 200);
    await new Promise((resolve) => socket.on('close', resolve));
    clearInterval(trickle);
    expect(sent).toBeLessThan(bytes.length);
    expect(received).toContain('"code":"FRAME_TIMEOUT"');
    await freshClientIsServed();
  });

  it('1,000 connections opened and left idle', async () => {
    const idle: net.Socket[] = [];
    let failed = 0;
    for (let burst = 0; burst < 10; burst++) {
      await Promise.all(
        Array.from({ length: 100 }, () => new Promise<void>((resolve) => {
          const s = net.connect(harness.endpoint, () => {
            idle.push(s);
            resolve();
          });
          s.on('error', () => {
            failed++;
            resolve();
          });
        })),
      );
    }
    expect(failed).toBe(0);
    await expect.poll(() => harness.companion.pipe.connections, { timeout: 10_000 }).toBeGreaterThanOrEqual(1000);
    await freshClientIsServed();
    idle.forEach((s) => s.destroy());
    await expect.poll(() => harness.companion.pipe.connections, { timeout: 10_000 }).toBe(0);
  });

  it('every refused connection is closed, so none is left holding resources', async () => {
    await expect.poll(() => harness.companion.pipe.connections, { timeout: 5000 }).toBe(0);
  });

  it('memory stays bounded after all of it', () => {
    // The 4-million-element frame alone is parsed into ~100 MB transiently; after the attacks, the
    // process must not have kept it (or anything else) around.
    global.gc?.();
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(400 * 1024 * 1024);
  });
});

describe('concurrency', () => {
  it('200 clients × 50 requests: every answer correct and routed to the client that asked', async () => {
    const all = await Promise.all(Array.from({ length: 200 }, () => RpcTestClient.connect(harness.endpoint)));
    const nonces = await Promise.all(
      all.map(async (c, i) => {
        const answers = await Promise.all(
          Array.from({ length: 50 }, () => c.request('companion.hello', { client: { name: `Client ${i}`, version: '1' }, protocolVersion: 1 })),
        );
        const seen = new Set(answers.map((a) => (a.result as { nonce: string }).nonce));
        // One connection, one nonce: all 50 answers came back on the connection that asked.
        expect(seen.size).toBe(1);
        return [...seen][0];
      }),
    );
    expect(new Set(nonces).size).toBe(200);
    await Promise.all(all.map((c) => c.close()));
  });
});
