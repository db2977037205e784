import fs from 'node:fs/promises';
import net from 'node:net';
import type { Logger } from '../platform/logger.js';
import { CompanionError } from '../errors.js';
import { claimEndpoint } from './endpoint-claim.js';
import { FrameDecoder, FramingError, encodeFrame } from './framing.js';
import { pipeError } from './error-codes.js';
import { errorResponse, type RpcConnection, type RpcDispatcher, type RpcError } from './json-rpc.js';

export interface PipeLimits {
  /** A frame must arrive whole within this time of its first byte (trickled frames hold resources). */
  frameTimeoutMs: number;
  /** Connections beyond this are closed at once. */
  maxConnections: number;
}

export const DEFAULT_PIPE_LIMITS: PipeLimits = { frameTimeoutMs: 30_000, maxConnections: 2048 };

export interface PipeServerOptions {
  endpoint: string;
  platform: NodeJS.Platform;
  dispatcher: RpcDispatcher;
  logger: Logger;
  limits?: Partial<PipeLimits>;
  /** Told when a connection closes, so its pending work can be cancelled. */
  onDisconnect?: (connection: RpcConnection) => void;
}

/**
 * The local endpoint prescribing systems talk to: a Unix socket or a Windows named pipe.
 *
 * Each connection has its own frame decoder; a framing fault answers one JSON-RPC error and closes that
 * connection only, so one broken client never disturbs another.
 */
export class PipeServer {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly listeners = new Set<(connections: number) => void>();
  private nextConnectionId = 1;
  private readonly limits: PipeLimits;

  constructor(private readonly options: PipeServerOptions) {
    this.limits = { ...DEFAULT_PIPE_LIMITS, ...options.limits };
  }

  public get endpoint(): string {
    return this.options.endpoint;
  }

  public get connections(): number {
    return this.sockets.size;
  }

  public onConnectionsChanged(listener: (connections: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  public async start(): Promise<void> {
    const { endpoint, platform } = this.options;
    await claimEndpoint(endpoint, platform);
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, endpoint)));
      // A deep backlog: a terminal server's morning log-in can bring hundreds of connections at once.
      server.listen({ path: endpoint, backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.options.logger.error('pipe.server_error', { error: String(err) }));
    if (platform !== 'win32') {
      // The folder is already 0700; the socket itself is narrowed too, in case the folder is ever shared.
      await fs.chmod(endpoint, 0o600);
    }
    this.server = server;
    this.options.logger.info('pipe.listening', { endpoint });
  }

  public async stop(): Promise<void> {
    const server = this.server;
    if (!server) {
      return;
    }
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await closed;
    if (this.options.platform !== 'win32') {
      await fs.rm(this.options.endpoint, { force: true });
    }
    this.options.logger.info('pipe.stopped', { endpoint: this.options.endpoint });
  }

  private accept(socket: net.Socket): void {
    if (this.sockets.size >= this.limits.maxConnections) {
      this.options.logger.warn('pipe.too_many_connections', { limit: this.limits.maxConnections });
      socket.destroy();
      return;
    }
    const closing = new AbortController();
    const connection: RpcConnection = {
      id: this.nextConnectionId++,
      state: new Map(),
      closed: closing.signal,
      notify: (method, params) => {
        if (!socket.destroyed && socket.writable) {
          socket.write(encodeFrame(JSON.stringify({ jsonrpc: '2.0', method, params })));
        }
      },
    };
    const decoder = new FrameDecoder();
    this.sockets.add(socket);
    this.emitConnections();
    this.options.logger.info('pipe.connected', { connection: connection.id });

    // Closes the connection with one last JSON-RPC error: the stream cannot be resynchronised after it.
    const refuse = (error: RpcError) => {
      this.options.logger.warn('pipe.connection_refused', { connection: connection.id, reason: error.data?.code ?? '' });
      clearTimeout(frameTimer);
      // Stop reading, send the error, then destroy once it is flushed: waiting for the peer's end would
      // leave the socket half open for ever, since nothing reads any more.
      socket.pause();
      socket.end(encodeFrame(JSON.stringify(errorResponse(null, error.code, error.message, error.data))), () => socket.destroy());
    };
    let frameTimer: NodeJS.Timeout | undefined;
    const watchPartialFrame = () => {
      if (decoder.pendingBytes === 0) {
        clearTimeout(frameTimer);
        frameTimer = undefined;
      } else if (frameTimer === undefined) {
        frameTimer = setTimeout(() => refuse(pipeError('FRAME_TIMEOUT')), this.limits.frameTimeoutMs);
      }
    };

    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        const tooLarge = err instanceof FramingError && err.fault === 'TOO_LARGE';
        refuse(pipeError(tooLarge ? 'TOO_LARGE' : 'BAD_FRAME', err instanceof FramingError ? `${err.message} The connection is closed.` : undefined));
        return;
      }
      if (frames.length > 0) {
        clearTimeout(frameTimer);
        frameTimer = undefined;
      }
      watchPartialFrame();
      for (const frame of frames) {
        void this.options.dispatcher.dispatch(frame, connection).then((response) => {
          if (response && !socket.destroyed && socket.writable) {
            socket.write(encodeFrame(JSON.stringify(response)));
          }
        });
      }
    });
    socket.on('error', (err) => {
      this.options.logger.debug('pipe.socket_error', { connection: connection.id, error: String(err) });
    });
    socket.on('close', () => {
      clearTimeout(frameTimer);
      closing.abort();
      this.options.onDisconnect?.(connection);
      this.sockets.delete(socket);
      this.emitConnections();
      this.options.logger.info('pipe.disconnected', { connection: connection.id });
    });
  }

  private emitConnections(): void {
    for (const listener of this.listeners) {
      listener(this.sockets.size);
    }
  }
}

/**
 * On Windows the first pipe instance is created exclusively (FILE_FLAG_FIRST_PIPE_INSTANCE), so a name
 * another process already holds fails here: the companion refuses rather than share it.
 */
export function listenError(err: NodeJS.ErrnoException, endpoint: string): Error {
  if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
    return new CompanionError(
      'ENDPOINT_IN_USE',
      `Another program already holds ${endpoint}, so Signing Companion will not start: it never shares its endpoint. Close that program, or ask your IT team.`,
      { cause: err },
    );
  }
  return err;
}
