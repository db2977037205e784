import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { resolveLocations } from '../platform/locations.js';
import { FrameDecoder, encodeFrame } from '../pipe/framing.js';
import { expectedProof, pairingCode } from '../pipe/pairing/pairing-code.js';
import type { SignItemResult, SignProgress, SignRequest } from '../signing/sign-request.js';
import { endSocket } from './end-socket.js';

export type { SignItemResult, SignProgress, SignRequest };

/**
 * A typed client for the pipe protocol (docs/protocol.md), for Node integrations, tests and the CLI.
 *
 * It frames with Content-Length, matches answers to requests by id, and turns JSON-RPC errors into
 * `CompanionRpcError`s that carry the companion's error name.
 */
export interface ClientInfo {
  name: string;
  version: string;
  vendor?: string;
}

export interface HelloResult {
  server: { name: string; version: string };
  protocolVersion: number;
  environment: 'sandbox' | 'int' | 'live' | 'custom';
  paired: boolean;
  nonce: string;
}

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

export interface StatusResult {
  signedIn: boolean;
  user?: { uid: string; name: string; roleId: string; roleName: string };
  environment: HelloResult['environment'];
  aal?: string;
  expiresAt?: string;
  signers: { card: { available: boolean; reason?: string }; remote: { available: boolean; reason?: string } };
}

export interface SignInResult {
  signedIn: true;
  user: { uid: string; name: string; roleId: string; roleName: string };
  aal: string;
  expiresAt: string;
}

export interface SignOptions {
  /** Told of queue position, confirmation and each prescription signed. */
  onProgress?: (progress: SignProgress) => void;
  /** Aborting sends `$/cancelRequest`; the answer is then CANCELLED (or the results so far). */
  signal?: AbortSignal;
}

export class CompanionRpcError extends Error {
  public readonly code: number;
  /** The companion's error name (`NOT_PAIRED`, `DECLINED`, …) or the JSON-RPC one (`INVALID_PARAMS`, …). */
  public readonly name: string;

  constructor(code: number, message: string, name: string | undefined) {
    super(message);
    this.code = code;
    this.name = name ?? STANDARD[code] ?? 'RPC_ERROR';
  }
}

const STANDARD: Record<number, string> = {
  [-32700]: 'PARSE_ERROR',
  [-32600]: 'INVALID_REQUEST',
  [-32601]: 'METHOD_NOT_FOUND',
  [-32602]: 'INVALID_PARAMS',
  [-32603]: 'INTERNAL_ERROR',
};

interface Waiting {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class CompanionClient {
  private readonly decoder = new FrameDecoder();
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private nonce: string | null = null;
  private readonly progressListeners = new Map<number, (progress: SignProgress) => void>();

  private constructor(
    private readonly socket: net.Socket,
    private readonly client: ClientInfo,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        const message = JSON.parse(frame.toString('utf8')) as {
          id?: number;
          method?: string;
          params?: unknown;
          result?: unknown;
          error?: { code: number; message: string; data?: { code?: string } };
        };
        if (message.method === 'signing.progress') {
          const progress = message.params as SignProgress;
          this.progressListeners.get(progress.requestId as number)?.(progress);
          continue;
        }
        const entry = typeof message.id === 'number' ? this.waiting.get(message.id) : undefined;
        if (!entry) {
          continue;
        }
        this.waiting.delete(message.id as number);
        if (message.error) {
          entry.reject(new CompanionRpcError(message.error.code, message.error.message, message.error.data?.code));
        } else {
          entry.resolve(message.result);
        }
      }
    });
    socket.on('close', () => {
      for (const entry of this.waiting.values()) {
        entry.reject(new Error('The connection to Signing Companion closed.'));
      }
      this.waiting.clear();
    });
  }

  /** Connects to an endpoint, or to the one in this user's discovery file. */
  public static async connect(client: ClientInfo, endpoint?: string): Promise<CompanionClient> {
    const target = endpoint ?? (await discoverEndpoint());
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(target);
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    socket.on('error', () => undefined);
    return new CompanionClient(socket, client);
  }

  public call<T>(method: string, params: object = {}): Promise<T> {
    return this.send<T>(method, params).answer;
  }

  public async hello(): Promise<HelloResult> {
    const result = await this.call<HelloResult>('companion.hello', { client: this.client, protocolVersion: 1 });
    this.nonce = result.nonce;
    return result;
  }

  /** The code the clinician compares while `pair()` waits for them. Call `hello()` first. */
  public pairingCode(): string {
    if (!this.nonce) {
      throw new Error('Call hello() before pairing.');
    }
    return pairingCode(this.nonce);
  }

  public pair(): Promise<Credentials> {
    return this.call<Credentials>('companion.pair', { client: this.client });
  }

  /** Proves an earlier pairing on this connection. */
  public async prove(credentials: Credentials): Promise<HelloResult> {
    const nonce = this.nonce ?? (await this.hello()).nonce;
    return this.call<HelloResult>('companion.hello', {
      client: this.client,
      protocolVersion: 1,
      clientId: credentials.clientId,
      proof: expectedProof(credentials.clientSecret, nonce),
    });
  }

  public getStatus(): Promise<StatusResult> {
    return this.call<StatusResult>('session.getStatus', {});
  }

  /** Asks the clinician to sign in; resolves once they have (at once if they already are). */
  public signIn(): Promise<SignInResult> {
    return this.call<SignInResult>('session.signIn', {});
  }

  /** Sends prescriptions to the clinician to check and sign; resolves with one result per prescription. */
  public async sign(request: SignRequest, options: SignOptions = {}): Promise<SignItemResult[]> {
    const { id, answer } = this.send<{ results: SignItemResult[] }>('signing.sign', request);
    if (options.onProgress) {
      this.progressListeners.set(id, options.onProgress);
    }
    const cancel = () => this.socket.write(encodeFrame(JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } })));
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      return (await answer).results;
    } finally {
      this.progressListeners.delete(id);
      options.signal?.removeEventListener('abort', cancel);
    }
  }

  public close(): Promise<void> {
    return endSocket(this.socket);
  }

  private send<T>(method: string, params: object): { id: number; answer: Promise<T> } {
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve, reject });
    });
    this.socket.write(encodeFrame(JSON.stringify({ jsonrpc: '2.0', id, method, params })));
    return { id, answer };
  }
}

/** The pipe of the companion running for this user, from its discovery file. */
export async function discoverEndpoint(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { discoveryFile } = resolveLocations({ env, platform: process.platform, homedir: os.homedir() });
  try {
    const discovery = JSON.parse(await fs.readFile(discoveryFile, 'utf8')) as { pipe?: unknown };
    if (typeof discovery.pipe === 'string') {
      return discovery.pipe;
    }
  } catch {
    // fall through to the plain message below
  }
  throw new Error(`Signing Companion is not running for this user (no ${discoveryFile}).`);
}
