import { PIPE_ERRORS } from '../pipe/error-codes.js';
import { METHOD_PARAMS } from '../pipe/methods/schemas.js';

/**
 * Checks a recorded session against the protocol, for suppliers checking their integration.
 *
 * A transcript is JSON Lines, one message per line as `{"dir": "send" | "recv", "message": {...}}`, in the
 * order they crossed one connection. Both sides are checked: what the application sent (methods, params,
 * order) and what it received (answers matching requests, known error codes).
 */
export interface Finding {
  line: number;
  side: 'application' | 'companion';
  problem: string;
}

const STANDARD_CODES = new Set([-32700, -32600, -32601, -32602, -32603]);
const COMPANION_CODES = new Map<number, string>(Object.entries(PIPE_ERRORS).map(([name, e]) => [e.code, name]));
const NOTIFICATIONS = new Set(['$/cancelRequest']);

export function checkTranscript(text: string): Finding[] {
  const findings: Finding[] = [];
  const outstanding = new Map<string | number, { method: string; line: number }>();
  let helloAnswered = false;
  let nonce: string | null = null;

  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') {
      return;
    }
    let entry: { dir?: unknown; message?: Record<string, unknown> };
    try {
      entry = JSON.parse(raw) as typeof entry;
    } catch {
      findings.push({ line, side: 'application', problem: 'not a JSON line' });
      return;
    }
    const message = entry.message;
    if ((entry.dir !== 'send' && entry.dir !== 'recv') || typeof message !== 'object' || message === null) {
      findings.push({ line, side: 'application', problem: 'each line needs "dir" ("send" or "recv") and "message"' });
      return;
    }
    if (message.jsonrpc !== '2.0') {
      findings.push({ line, side: entry.dir === 'send' ? 'application' : 'companion', problem: 'message is not JSON-RPC 2.0' });
      return;
    }
    if (entry.dir === 'send') {
      const method = message.method;
      if (typeof method !== 'string') {
        findings.push({ line, side: 'application', problem: 'a request without a method' });
        return;
      }
      const schema = METHOD_PARAMS[method];
      if (!schema && !NOTIFICATIONS.has(method)) {
        findings.push({ line, side: 'application', problem: `unknown method "${method}"` });
      } else if (schema) {
        const parsed = schema.safeParse(message.params ?? {});
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          findings.push({ line, side: 'application', problem: `invalid params for ${method}${issue?.path.length ? ` at "${issue.path.join('.')}"` : ''}: ${issue?.message ?? ''}` });
        }
      }
      const params = (message.params ?? {}) as Record<string, unknown>;
      if (method !== 'companion.hello' && !helloAnswered && !NOTIFICATIONS.has(method) && method !== 'session.getStatus') {
        findings.push({ line, side: 'application', problem: `${method} before companion.hello has been answered` });
      }
      if (method === 'companion.hello' && params.proof !== undefined && nonce === null) {
        findings.push({ line, side: 'application', problem: 'a pairing proof before a hello issued the nonce it must be made over' });
      }
      if ('id' in message && message.id !== undefined) {
        const id = message.id as string | number;
        if (outstanding.has(id)) {
          findings.push({ line, side: 'application', problem: `id ${String(id)} is reused while its request is still open` });
        }
        outstanding.set(id, { method, line });
      }
      return;
    }
    if (typeof message.method === 'string' && !('id' in message)) {
      findings.push(...checkCompanionNotification(line, message, outstanding));
      return;
    }
    const id = message.id as string | number | null | undefined;
    const request = id === null || id === undefined ? undefined : outstanding.get(id);
    if (!request && !(id === null && message.error)) {
      findings.push({ line, side: 'companion', problem: `an answer with id ${String(id)} that matches no open request` });
      return;
    }
    if (request) {
      outstanding.delete(id as string | number);
    }
    if (('result' in message) === ('error' in message)) {
      findings.push({ line, side: 'companion', problem: 'an answer must have exactly one of result and error' });
      return;
    }
    if (message.error) {
      const error = message.error as { code?: unknown; data?: { code?: unknown } };
      const name = typeof error.code === 'number' ? COMPANION_CODES.get(error.code) : undefined;
      if (typeof error.code !== 'number' || (!STANDARD_CODES.has(error.code) && !name)) {
        findings.push({ line, side: 'companion', problem: `error code ${String(error.code)} is not in the protocol's table` });
      } else if (name && error.data?.code !== name) {
        findings.push({ line, side: 'companion', problem: `error ${error.code} should carry data.code "${name}"` });
      }
      return;
    }
    if (request?.method === 'companion.hello') {
      const result = message.result as { nonce?: unknown };
      if (typeof result.nonce !== 'string') {
        findings.push({ line, side: 'companion', problem: 'a hello answer without a nonce' });
      } else if (nonce !== null && result.nonce !== nonce) {
        findings.push({ line, side: 'companion', problem: 'the nonce changed within one connection' });
      } else {
        nonce = result.nonce;
      }
      helloAnswered = true;
    }
  });
  for (const [id, request] of outstanding) {
    findings.push({ line: request.line, side: 'companion', problem: `request ${String(id)} (${request.method}) was never answered` });
  }
  return findings;
}

/** The companion's only notification is `signing.progress`, about a `signing.sign` still open. */
function checkCompanionNotification(line: number, message: Record<string, unknown>, outstanding: Map<string | number, { method: string }>): Finding[] {
  if (message.method !== 'signing.progress') {
    return [{ line, side: 'companion', problem: `unknown notification "${String(message.method)}"` }];
  }
  const params = (message.params ?? {}) as { requestId?: unknown; stage?: unknown; done?: unknown; total?: unknown };
  const request = typeof params.requestId === 'string' || typeof params.requestId === 'number' ? outstanding.get(params.requestId) : undefined;
  if (request?.method !== 'signing.sign') {
    return [{ line, side: 'companion', problem: `signing.progress for ${String(params.requestId)}, which is not an open signing.sign request` }];
  }
  if (!['queued', 'confirming', 'signing', 'done'].includes(String(params.stage)) || typeof params.done !== 'number' || typeof params.total !== 'number') {
    return [{ line, side: 'companion', problem: 'signing.progress needs stage (queued, confirming, signing or done), done and total' }];
  }
  return [];
}
