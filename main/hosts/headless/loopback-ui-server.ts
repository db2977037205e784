import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { CompanionError } from '../../errors.js';
import type { Logger } from '../../platform/logger.js';
import type { UiBridge } from '../../ui/ui-bridge.js';
import type { UiSurface } from '../../ui/ui-surface.js';
import { securityHeaders } from '../../ui/security-headers.js';
import { readStaticFile } from '../../ui/static-files.js';

export interface LoopbackUiOptions {
  rendererDir: string;
  /** The built WebSocket bridge, served as `bridge.js` and loaded before the app's own script. */
  bridgeScript: string;
  logger: Logger;
  /** Fixed port for people who bookmark the page; 0 (the default) picks a free one. */
  port?: number;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

const InvokeMessage = z.object({
  t: z.literal('invoke'),
  id: z.number().int().nonnegative(),
  channel: z.string().max(128),
  args: z.array(z.unknown()).max(16),
});

/**
 * The headless host's window: the React UI served on 127.0.0.1.
 *
 * Everything lives under `/s/<token>/`, a 256-bit random path that only the discovery file and the console
 * reveal, so another local user cannot load the page or open its WebSocket. Requests whose Host is not
 * exactly our loopback address are refused (DNS rebinding), and the WebSocket also requires our Origin.
 */
export class LoopbackUiServer implements UiSurface {
  private server: http.Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private readonly token = randomBytes(32).toString('base64url');
  private origin = '';
  private bridge: UiBridge | null = null;

  constructor(private readonly options: LoopbackUiOptions) {}

  public get url(): string | null {
    return this.server ? `${this.origin}/s/${this.token}/` : null;
  }

  public async start(bridge: UiBridge): Promise<void> {
    await assertBuilt(this.options.rendererDir, this.options.bridgeScript);
    this.bridge = bridge;
    const server = http.createServer((req, res) => {
      void this.serve(req, res).catch((err: unknown) => {
        this.options.logger.error('ui.request_failed', { error: String(err) });
        if (!res.headersSent) {
          res.writeHead(500, this.headers()).end();
        }
      });
    });
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
    this.server = server;
    this.wss.on('connection', (ws) => this.connect(ws));
  }

  public async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const client of this.wss.clients) {
      client.terminate();
    }
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const headers = this.headers();
    if (!this.trustedHost(req)) {
      res.writeHead(421, headers).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    const relative = this.pathWithinToken(req.url ?? '');
    if (relative === null) {
      this.notFound(res);
      return;
    }
    const file =
      relative === 'bridge.js'
        ? { body: await fs.readFile(this.options.bridgeScript), contentType: 'text/javascript; charset=utf-8' }
        : await readStaticFile(this.options.rendererDir, relative === '' ? 'index.html' : relative);
    if (!file) {
      this.notFound(res);
      return;
    }
    const body =
      relative === '' || relative === 'index.html' ? withBridge(file.body.toString('utf8')) : file.body;
    res.writeHead(200, { ...headers, 'Content-Type': file.contentType, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const ok =
      this.trustedHost(req) && req.headers.origin === this.origin && this.pathWithinToken(req.url ?? '') === 'bridge';
    if (!ok) {
      this.options.logger.warn('ui.websocket_refused', { origin: req.headers.origin ?? '(none)' });
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  private connect(ws: WebSocket): void {
    const bridge = this.bridge;
    if (!bridge) {
      ws.close();
      return;
    }
    const unsubscribe = bridge.subscribe((event, payload) => {
      ws.send(JSON.stringify({ t: 'event', event, payload }));
    });
    ws.on('close', unsubscribe);
    ws.on('message', (data: Buffer, isBinary) => {
      const message = isBinary ? null : parseInvoke(data.toString('utf8'));
      if (!message) {
        ws.close(1008, 'invalid message');
        return;
      }
      void bridge.invoke(message.channel, message.args).then((result) => {
        if (ws.readyState === ws.OPEN) {
          ws.send(JSON.stringify({ t: 'result', id: message.id, result }));
        }
      });
    });
  }

  private notFound(res: http.ServerResponse): void {
    res.writeHead(404, { ...this.headers(), 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found.\n');
  }

  private headers(): Record<string, string> {
    return securityHeaders({ connectSrc: this.origin.replace(/^http:/, 'ws:') });
  }

  private trustedHost(req: http.IncomingMessage): boolean {
    return `http://${req.headers.host ?? ''}` === this.origin;
  }

  /** The path after `/s/<token>/`, or null when the token is missing or wrong. */
  private pathWithinToken(rawUrl: string): string | null {
    const pathname = rawUrl.split('?')[0] ?? '';
    const match = /^\/s\/([A-Za-z0-9_-]{43})\/(.*)$/.exec(pathname);
    if (!match) {
      return null;
    }
    const given = Buffer.from(match[1] ?? '');
    const expected = Buffer.from(this.token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return null;
    }
    try {
      return decodeURIComponent(match[2] ?? '');
    } catch {
      return null;
    }
  }
}

function parseInvoke(text: string): z.infer<typeof InvokeMessage> | null {
  try {
    const parsed = InvokeMessage.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Loads the bridge before the app's module script, so `window.companion` exists when React starts. */
function withBridge(html: string): Buffer {
  return Buffer.from(html.replace('</head>', '  <script src="./bridge.js"></script>\n  </head>'), 'utf8');
}

async function assertBuilt(rendererDir: string, bridgeScript: string): Promise<void> {
  for (const file of [`${rendererDir}/index.html`, bridgeScript]) {
    try {
      await fs.access(file);
    } catch {
      throw new CompanionError(
        'UI_BUILD_MISSING',
        `The window's files are not built (${file} is missing). Run "npm run build" and start again.`,
      );
    }
  }
}
