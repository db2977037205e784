import type { Logger } from '../../platform/logger.js';
import type { PairingStore } from '../pairing/pairing-store.js';
import { SignParams } from '../../signing/sign-request.js';
import { SigningError } from '../../signing/signing-error.js';
import type { SigningService } from '../../signing/signing-service.js';
import { pipeError, pipeErrorFrom } from '../error-codes.js';
import { defineMethod } from '../json-rpc.js';
import { requirePaired } from './connection-state.js';

export const PROGRESS_NOTIFICATION = 'signing.progress';

/**
 * `signing.sign`: prescriptions to the clinician, signatures back. Only a connection that proved its
 * pairing may call it. Progress arrives as `signing.progress` notifications on the same connection;
 * `$/cancelRequest` or closing the connection cancels.
 */
export function signMethod(signing: SigningService, store: PairingStore, logger: Logger) {
  return defineMethod({
    cancellable: true,
    params: SignParams,
    handle: async (params, connection, call) => {
      const clientId = requirePaired(connection);
      const client = store.get(clientId);
      if (!client) {
        throw pipeError('NOT_PAIRED', "The clinician removed this application's pairing. Pair it again.");
      }
      try {
        const results = await signing.sign(
          params,
          { clientId, clientName: client.name },
          { requestId: call.id, signal: call.signal, progress: (progress) => connection.notify(PROGRESS_NOTIFICATION, progress) },
        );
        return { results };
      } catch (err) {
        if (err instanceof SigningError) {
          logger.info('signing.refused', { code: err.code, connection: connection.id });
          throw pipeErrorFrom(err);
        }
        throw err;
      }
    },
  });
}
