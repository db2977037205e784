import type { RpcConnection } from '../json-rpc.js';
import { pipeError } from '../error-codes.js';

/** What a connection has established so far, kept in its per-connection state. */
const NONCE = 'hello.nonce';
const CLIENT_ID = 'paired.clientId';
const PROMPT = 'pairing.promptId';

export const connectionState = {
  nonce: (c: RpcConnection) => c.state.get(NONCE) as string | undefined,
  setNonce: (c: RpcConnection, nonce: string) => c.state.set(NONCE, nonce),
  pairedClientId: (c: RpcConnection) => c.state.get(CLIENT_ID) as string | undefined,
  setPaired: (c: RpcConnection, clientId: string) => c.state.set(CLIENT_ID, clientId),
  pendingPrompt: (c: RpcConnection) => c.state.get(PROMPT) as string | undefined,
  setPendingPrompt: (c: RpcConnection, id: string | undefined) => c.state.set(PROMPT, id),
};

/** The nonce of this connection's hello, or HELLO_REQUIRED. */
export function requireHello(connection: RpcConnection): string {
  const nonce = connectionState.nonce(connection);
  if (!nonce) {
    throw pipeError('HELLO_REQUIRED');
  }
  return nonce;
}

/** Only applications that proved their pairing on this connection may sign or start sign-in. */
export function requirePaired(connection: RpcConnection): string {
  const clientId = connectionState.pairedClientId(connection);
  if (!clientId) {
    throw pipeError('NOT_PAIRED');
  }
  return clientId;
}
