import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { sandboxSnapshot as snapshot } from '../support/snapshots.js';
import { LoopbackUiServer } from '../../main/hosts/headless/loopback-ui-server.js';
import { createMemoryLogger } from '../../main/platform/logger.js';
import { builtAssets } from '../../main/platform/package-root.js';
import { AppState } from '../../main/ui/app-state.js';
import { UiBridge } from '../../main/ui/ui-bridge.js';
import { STUB_SCHEMAS, stubHandlers } from '../support/ui-stubs.js';


const state = new AppState(snapshot);
const assets = builtAssets();
const server = new LoopbackUiServer({
  rendererDir: assets.rendererDir,
  bridgeScript: assets.websocketBridge,
  logger: createMemoryLogger(),
});
let url: URL;

beforeAll(async () => {
  await server.start(
    new UiBridge(
      stubHandlers({ 'app.getSnapshot': () => Promise.resolve(state.current) }),
      STUB_SCHEMAS,
      { subscribe: (listener) => state.subscribe((s) => listener('app.snapshot', s)) },
      createMemoryLogger(),
    ),
  );
  url = new URL(server.url!);
});
afterAll(() => server.stop());

function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: url.port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(origin: string | undefined, path = `${url.pathname}bridge`) {
  return new WebSocket(`ws://127.0.0.1:${url.port}${path}`, origin === undefined ? {} : { origin });
}

describe('LoopbackUiServer', () => {
  it('listens on 127.0.0.1 only, under an unguessable path', () => {
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toMatch(/^\/s\/[A-Za-z0-9_-]{43}\/$/);
  });

  it('serves the window with the bridge loaded first and a strict CSP', async () => {
    const res = await get(url.pathname);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/<script src="\.\/bridge\.js"><\/script>\s*<\/head>/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src ws://127.0.0.1:${url.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('never sends CORS headers, even when another origin asks', async () => {
    const res = await get(url.pathname, { Origin: 'http://evil.example' });
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('answers 404 without the token, with a wrong token, and outside /s/', async () => {
    const wrongToken = url.pathname.replace(/\/s\/./, '/s/A');
    for (const path of ['/', '/index.html', wrongToken, '/s/short/', `${url.pathname}../../etc/passwd`]) {
      expect((await get(path)).status).toBe(404);
    }
  });

  it('refuses requests whose Host is not its own loopback address (DNS rebinding)', async () => {
    expect((await get(url.pathname, { Host: `evil.example:${url.port}` })).status).toBe(421);
    expect((await get(url.pathname, { Host: `localhost:${url.port}` })).status).toBe(421);
  });

  it('allows only GET and HEAD', async () => {
    expect((await get(url.pathname, {}, 'POST')).status).toBe(405);
    expect((await get(url.pathname, {}, 'HEAD')).status).toBe(200);
  });

  it('refuses a WebSocket from another origin, or without the token', async () => {
    for (const socket of [openSocket('http://evil.example'), openSocket(undefined), openSocket(url.origin, '/s/x/bridge')]) {
      const outcome = await new Promise<string>((resolve) => {
        socket.on('open', () => resolve('open'));
        socket.on('error', () => resolve('refused'));
      });
      expect(outcome).toBe('refused');
    }
  });

  it('carries calls and pushed events over the WebSocket from its own origin', async () => {
    const socket = openSocket(url.origin);
    const messages: unknown[] = [];
    socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
    await new Promise((resolve) => socket.on('open', resolve));
    socket.send(JSON.stringify({ t: 'invoke', id: 1, channel: 'app.getSnapshot', args: [] }));
    await expect.poll(() => messages.length).toBe(1);
    expect(messages[0]).toEqual({ t: 'result', id: 1, result: { ok: true, value: snapshot } });
    state.update((s) => ({ ...s, pipe: { ...s.pipe, connections: 3 } }));
    await expect.poll(() => messages.length).toBe(2);
    expect(messages[1]).toMatchObject({ t: 'event', event: 'app.snapshot', payload: { pipe: { connections: 3 } } });
    socket.send(JSON.stringify({ t: 'invoke', id: 2, channel: 'app.unknown', args: [] }));
    await expect.poll(() => messages.length).toBe(3);
    expect(messages[2]).toMatchObject({ id: 2, result: { ok: false, error: { code: 'UNKNOWN_CHANNEL' } } });
    socket.close();
  });

  it('closes a WebSocket that sends something other than a call (policy violation)', async () => {
    const socket = openSocket(url.origin);
    await new Promise((resolve) => socket.on('open', resolve));
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.send('{"t":"invoke","id":"not a number"}');
    expect(await closed).toBe(1008);
  });
});
