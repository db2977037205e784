import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EnvironmentName } from '../../policy/policy-schema.js';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../../version.js';
import { pipeError } from '../error-codes.js';
import { defineMethod } from '../json-rpc.js';
import { proofMatches } from '../pairing/pairing-code.js';
import type { PairingStore } from '../pairing/pairing-store.js';
import { PROTOCOL_VERSION } from '../protocol.js';
import { connectionState } from './connection-state.js';

export const ClientInfo = z.object({
  name: z.string().min(1).max(100),
  version: z.string().min(1).max(50),
  vendor: z.string().min(1).max(100).optional(),
});

export const HelloParams = z.object({
  client: ClientInfo,
  protocolVersion: z.number().int().positive(),
  clientId: z.string().uuid().optional(),
  proof: z.string().max(100).optional(),
});

/**
 * `companion.hello`: the first call on every connection, and how a paired application proves itself.
 *
 * The first hello issues this connection's nonce. A paired application then sends a second hello with its
 * `clientId` and `proof` = base64 HMAC-SHA256(clientSecret, nonce); only a connection that has done so may
 * sign. The nonce is new for every connection, so a proof cannot be replayed on another.
 */
export function helloMethod(environment: EnvironmentName, store: PairingStore) {
  return defineMethod({
    params: HelloParams,
    handle: (params, connection) => {
      if (params.protocolVersion !== PROTOCOL_VERSION) {
        return Promise.reject(
          pipeError('PROTOCOL_VERSION', `This companion speaks protocol version ${PROTOCOL_VERSION}; the application asked for ${params.protocolVersion}.`),
        );
      }
      let nonce = connectionState.nonce(connection);
      if (params.clientId !== undefined || params.proof !== undefined) {
        const client = params.clientId ? store.get(params.clientId) : undefined;
        if (!nonce || !client || !params.proof || !proofMatches(client.clientSecret, nonce, params.proof)) {
          return Promise.reject(
            pipeError('NOT_PAIRED', nonce ? 'The pairing proof does not match. Pair the application again.' : 'Call companion.hello once without a proof first, then prove the pairing with its nonce.'),
          );
        }
        connectionState.setPaired(connection, client.clientId);
      }
      if (!nonce) {
        nonce = randomBytes(32).toString('base64');
        connectionState.setNonce(connection, nonce);
      }
      return Promise.resolve({
        server: { name: PRODUCT_NAME, version: PRODUCT_VERSION },
        protocolVersion: PROTOCOL_VERSION,
        environment,
        paired: connectionState.pairedClientId(connection) !== undefined,
        nonce,
      });
    },
  });
}
