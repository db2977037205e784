import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EnvironmentName } from '../../policy/policy-schema.js';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../../version.js';
import { RPC_INVALID_PARAMS, RpcError, defineMethod } from '../json-rpc.js';
import { PROTOCOL_VERSION } from '../protocol.js';

export const HelloParams = z.object({
  client: z.object({
    name: z.string().min(1).max(100),
    version: z.string().min(1).max(50),
    vendor: z.string().min(1).max(100).optional(),
  }),
  protocolVersion: z.number().int().positive(),
});

/** The nonce the hello issues on a connection; a paired client proves itself over it. */
export const NONCE_KEY = 'hello.nonce';

/**
 * `companion.hello`: the first call on every connection.
 *
 * It tells the client which companion and environment it reached, and issues a fresh nonce for this
 * connection only.
 */
export function helloMethod(environment: () => EnvironmentName) {
  return defineMethod({
    params: HelloParams,
    handle: (params, connection) => {
      if (params.protocolVersion !== PROTOCOL_VERSION) {
        return Promise.reject(new RpcError(
          RPC_INVALID_PARAMS,
          `This companion speaks protocol version ${PROTOCOL_VERSION}; the client asked for ${params.protocolVersion}.`,
          { code: 'PROTOCOL_VERSION' },
        ));
      }
      const nonce = randomBytes(32).toString('base64');
      connection.state.set(NONCE_KEY, nonce);
      return Promise.resolve({
        server: { name: PRODUCT_NAME, version: PRODUCT_VERSION },
        protocolVersion: PROTOCOL_VERSION,
        environment: environment(),
        paired: false,
        nonce,
      });
    },
  });
}
