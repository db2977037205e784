import { z } from 'zod';
import type { Logger } from '../platform/logger.js';

/**
 * JSON-RPC 2.0 dispatch: envelope checks, parameter validation, typed errors.
 *
 * Every method declares a zod schema for its params; a request reaches a handler only after it validates.
 * A handler's unexpected failure answers "internal error" and is logged, never sent as a stack trace.
 */
export const RPC_PARSE_ERROR = -32700;
export const RPC_INVALID_REQUEST = -32600;
export const RPC_METHOD_NOT_FOUND = -32601;
export const RPC_INVALID_PARAMS = -32602;
export const RPC_INTERNAL_ERROR = -32603;

export class RpcError extends Error {
  public readonly code: number;
  public readonly data: { code: string } | undefined;

  constructor(code: number, message: string, data?: { code: string }) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    this.data = data;
  }
}

export interface RpcConnection {
  readonly id: number;
  /** Per-connection values a method may keep (the hello nonce, for one). */
  readonly state: Map<string, unknown>;
  /** Aborted when the connection closes: its pending work is cancelled with it. */
  readonly closed: AbortSignal;
  /** Sends a notification to this connection (nothing happens once it has closed). */
  notify(method: string, params: unknown): void;
}

/** What a handler learns about its own request. */
export interface RpcCall {
  /** The request's id, as the client sent it (null for a notification). */
  id: string | number | null;
  /** Aborted by `$/cancelRequest` for this id, or when the connection closes. */
  signal: AbortSignal;
}

export interface RpcMethod<S extends z.ZodType = z.ZodType> {
  params: S;
  /**
   * Long-running methods that `$/cancelRequest` can cancel. Only these are tracked by id: the others
   * answer at once, and tracking costs more than they do.
   */
  cancellable?: boolean;
  handle(params: z.infer<S>, connection: RpcConnection, call: RpcCall): Promise<unknown>;
}

export function defineMethod<S extends z.ZodType>(method: RpcMethod<S>): RpcMethod<S> {
  return method;
}

type RequestId = string | number | null;

const EnvelopeSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string().max(256), z.number().finite(), z.null()]).optional(),
  method: z.string().min(1).max(128),
  params: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
});

export type RpcResponse =
  | { jsonrpc: '2.0'; id: RequestId; result: unknown }
  | { jsonrpc: '2.0'; id: RequestId; error: { code: number; message: string; data?: unknown } };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The Language Server Protocol's cancellation notification, which StreamJsonRpc and vscode-jsonrpc send. */
export const CANCEL_METHOD = '$/cancelRequest';
const CancelParams = z.object({ id: z.union([z.string().max(256), z.number().finite()]) });

export class RpcDispatcher {
  /** Requests still running, per connection, so `$/cancelRequest` can find them by id. */
  private readonly running = new WeakMap<RpcConnection, Map<string | number, AbortController>>();

  constructor(
    private readonly methods: Readonly<Record<string, RpcMethod>>,
    private readonly logger: Logger,
  ) {}

  /** Handles one frame body; resolves to the response, or null for a notification. */
  public async dispatch(body: Buffer, connection: RpcConnection): Promise<RpcResponse | null> {
    let message: unknown;
    try {
      message = JSON.parse(utf8.decode(body));
    } catch {
      return errorResponse(null, RPC_PARSE_ERROR, 'Parse error: the frame is not valid UTF-8 JSON.');
    }
    if (Array.isArray(message)) {
      return errorResponse(null, RPC_INVALID_REQUEST, 'Batch requests are not supported; send one request per frame.');
    }
    const envelope = EnvelopeSchema.safeParse(message);
    if (!envelope.success) {
      return errorResponse(idOf(message), RPC_INVALID_REQUEST, 'Invalid request: not a JSON-RPC 2.0 request object.');
    }
    const { id, method: name, params } = envelope.data;
    const isNotification = id === undefined;
    if (name === CANCEL_METHOD) {
      this.cancel(connection, params);
      return null;
    }
    const method = Object.hasOwn(this.methods, name) ? this.methods[name] : undefined;
    if (!method) {
      return isNotification ? null : errorResponse(id, RPC_METHOD_NOT_FOUND, `Method "${name}" does not exist.`);
    }
    const parsed = method.params.safeParse(params ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at "${issue.path.join('.')}"` : '';
      return isNotification
        ? null
        : errorResponse(id, RPC_INVALID_PARAMS, `Invalid params${where}: ${issue?.message ?? 'invalid'}.`);
    }
    const controller = method.cancellable ? new AbortController() : null;
    const running = controller ? this.runningOn(connection) : null;
    // A second request reusing a running id cannot be told apart by a cancellation, so it is not tracked.
    const tracked = controller !== null && running !== null && id !== undefined && id !== null && !running.has(id);
    if (tracked) {
      running.set(id, controller);
    }
    try {
      const signal = controller ? AbortSignal.any([controller.signal, connection.closed]) : connection.closed;
      const result = await method.handle(parsed.data, connection, { id: id ?? null, signal });
      return isNotification ? null : { jsonrpc: '2.0', id, result };
    } catch (err) {
      if (err instanceof RpcError) {
        return isNotification ? null : errorResponse(id, err.code, err.message, err.data);
      }
      this.logger.error('rpc.handler_failed', { method: name, error: String(err) });
      return isNotification ? null : errorResponse(id, RPC_INTERNAL_ERROR, 'Internal error in Signing Companion.');
    } finally {
      if (tracked && running?.get(id) === controller) {
        running.delete(id);
      }
    }
  }

  private runningOn(connection: RpcConnection): Map<string | number, AbortController> {
    let running = this.running.get(connection);
    if (!running) {
      running = new Map();
      this.running.set(connection, running);
    }
    return running;
  }

  /** `$/cancelRequest` is a notification: an unknown or finished id is ignored, as LSP specifies. */
  private cancel(connection: RpcConnection, params: unknown): void {
    const parsed = CancelParams.safeParse(params);
    if (parsed.success) {
      this.running.get(connection)?.get(parsed.data.id)?.abort();
    }
  }
}

export function errorResponse(id: RequestId, code: number, message: string, data?: unknown): RpcResponse {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

function idOf(message: unknown): RequestId {
  if (typeof message === 'object' && message !== null && 'id' in message) {
    const { id } = message;
    if (typeof id === 'string' || typeof id === 'number') {
      return id;
    }
  }
  return null;
}
