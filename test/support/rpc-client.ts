import net from 'node:net';
import { endSocket } from '../../main/client/end-socket.js';
import { FrameDecoder, encodeFrame } from '../../main/pipe/framing.js';

export interface RpcAnswer {
  result?: unknown;
  error?: { code: number; message: string; data?: { code: string } };
}

/** A minimal Content-Length JSON-RPC client over a real socket, as a prescribing system would use. */
export class RpcTestClient {
  private readonly decoder = new FrameDecoder();
  private readonly waiting = new Map<number, (message: unknown) => void>();
  private nextId = 1;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        const message = JSON.parse(frame.toString('utf8')) as { id?: number };
        if (typeof message.id === 'number') {
          this.waiting.get(message.id)?.(message);
          this.waiting.delete(message.id);
        } else {
          this.unsolicited.push(message);
        }
      }
    });
  }

  public static connect(endpoint: string): Promise<RpcTestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(endpoint);
      socket.on('error', () => undefined);
      socket.once('connect', () => resolve(new RpcTestClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Resolves when the server closes the connection, with every message it sent without an id. */
  public readonly unsolicited: unknown[] = [];

  public get closed(): boolean {
    return this.socket.closed;
  }

  public waitForClose(): Promise<void> {
    return this.socket.closed ? Promise.resolve() : new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  public writeRaw(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  public request(method: string, params?: unknown): Promise<RpcAnswer> {
    return this.start(method, params).answer;
  }

  /** Sends a request and returns its id with the answer to come (to cancel it by id). */
  public start(method: string, params?: unknown): { id: number; answer: Promise<RpcAnswer> } {
    const id = this.nextId++;
    const answer = new Promise<RpcAnswer>((resolve) => {
      this.waiting.set(id, resolve as (message: unknown) => void);
    });
    this.socket.write(encodeFrame(JSON.stringify({ jsonrpc: '2.0', id, method, params })));
    return { id, answer };
  }

  public notify(method: string, params?: unknown): void {
    this.socket.write(encodeFrame(JSON.stringify({ jsonrpc: '2.0', method, params })));
  }

  public close(): Promise<void> {
    return endSocket(this.socket);
  }
}
