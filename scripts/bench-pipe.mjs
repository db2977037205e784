// Pipe benchmark: session.getStatus through the whole companion pipe (framing, JSON-RPC, validation,
// dispatch) against a bare Content-Length echo server on the same kind of socket, in the same run.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export async function benchPipe(root) {
  const { Companion } = await import(path.join(root, 'dist/main/app.js'));
  const { resolveLocations } = await import(path.join(root, 'dist/main/platform/locations.js'));
  const { createMemoryLogger } = await import(path.join(root, 'dist/main/platform/logger.js'));
  const { FileSecretStore } = await import(path.join(root, 'dist/main/platform/file-secret-store.js'));
  const { FrameDecoder, encodeFrame } = await import(path.join(root, 'dist/main/pipe/framing.js'));

  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-bench-'));
  const locations = resolveLocations({ env: { SIGNING_COMPANION_HOME: home }, platform: process.platform, homedir: os.homedir() });
  const companion = new Companion(
    { locations, policy: { policy: { environment: 'sandbox', clients: { preApproved: [] } }, source: null, notices: [] }, platform: process.platform, pid: process.pid },
    { ui: { url: null, start: async () => {}, stop: async () => {} }, logger: createMemoryLogger(), secrets: new FileSecretStore(path.join(home, 'secrets.json')) },
  );
  await companion.start();

  // The baseline: the same framing, no JSON-RPC, answering each frame with a fixed body.
  const echoPath = path.join(home, 'echo.sock');
  const reply = encodeFrame(JSON.stringify({ jsonrpc: '2.0', id: 0, result: { signedIn: false } }));
  const echo = net.createServer((socket) => {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      for (let n = decoder.push(chunk).length; n > 0; n--) socket.write(reply);
    });
  });
  await new Promise((resolve) => echo.listen(echoPath, resolve));

  function client(endpoint) {
    return new Promise((resolve) => {
      const socket = net.connect(endpoint, () => {
        const decoder = new FrameDecoder();
        let waiting = null;
        socket.on('data', (chunk) => {
          for (let n = decoder.push(chunk).length; n > 0; n--) waiting?.();
        });
        const body = encodeFrame(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'session.getStatus', params: {} }));
        resolve({
          call: () => new Promise((done) => { waiting = done; socket.write(body); }),
          close: () => socket.destroy(),
        });
      });
    });
  }

  async function latencies(endpoint, n) {
    const c = await client(endpoint);
    for (let i = 0; i < 500; i++) await c.call();
    const times = [];
    for (let i = 0; i < n; i++) {
      const start = process.hrtime.bigint();
      await c.call();
      times.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    c.close();
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(n * 0.5)], p99: times[Math.floor(n * 0.99)] };
  }

  async function throughput(endpoint, clients, perClient) {
    const all = await Promise.all(Array.from({ length: clients }, () => client(endpoint)));
    const start = process.hrtime.bigint();
    await Promise.all(all.map(async (c) => { for (let i = 0; i < perClient; i++) await c.call(); }));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    all.forEach((c) => c.close());
    return (clients * perClient) / seconds;
  }

  const raw = await latencies(echoPath, 5000);
  const ours = await latencies(companion.pipe.endpoint, 5000);
  const rawRate = await throughput(echoPath, 50, 400);
  const ourRate = await throughput(companion.pipe.endpoint, 50, 400);

  echo.close();
  await companion.stop();
  fs.rmSync(home, { recursive: true, force: true });

  const f = (v) => `${v.toFixed(0)} µs`;
  console.log(`pipe, session.getStatus round trip (one client):`);
  console.log(`  raw Content-Length echo:  p50 ${f(raw.p50)}  p99 ${f(raw.p99)}`);
  console.log(`  companion:                p50 ${f(ours.p50)}  p99 ${f(ours.p99)}   p50 ratio ${(ours.p50 / raw.p50).toFixed(2)} (target ≤ 1.5)`);
  console.log(`pipe, 50 clients × 400 requests:`);
  console.log(`  raw echo ${rawRate.toFixed(0)} req/s, companion ${ourRate.toFixed(0)} req/s   ratio ${(ourRate / rawRate).toFixed(2)}`);
}
