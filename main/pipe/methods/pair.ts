import { z } from 'zod';
import type { Logger } from '../../platform/logger.js';
import type { Policy } from '../../policy/policy-schema.js';
import { pipeError } from '../error-codes.js';
import { defineMethod } from '../json-rpc.js';
import type { PairingApprover } from '../pairing/pairing-approver.js';
import { pairingCode } from '../pairing/pairing-code.js';
import type { PairingApproval, PairingStore } from '../pairing/pairing-store.js';
import { connectionState, requireHello } from './connection-state.js';
import { ClientInfo } from './hello.js';

export const PairParams = z.object({ client: ClientInfo });

/**
 * `companion.pair`: asks the clinician to let this application sign through them.
 *
 * The prompt shows the application's name and a 6-digit code the application shows too (both derive it
 * from the hello nonce). A policy may pre-approve applications by name; in the sandbox, automation may
 * approve. Either way the approval is recorded with how it was given.
 */
export function pairMethod(policy: Policy, store: PairingStore, approver: PairingApprover, logger: Logger) {
  return defineMethod({
    params: PairParams,
    handle: async ({ client }, connection) => {
      const nonce = requireHello(connection);
      let approval: PairingApproval;
      if (policy.clients.preApproved.includes(client.name)) {
        approval = 'policy';
      } else if (policy.environment === 'sandbox' && policy.sandbox?.autoApprove === true) {
        approval = 'sandbox-automatic';
      } else {
        const prompt = approver.ask({ clientName: client.name, clientVersion: client.version, vendor: client.vendor ?? null, code: pairingCode(nonce) });
        connectionState.setPendingPrompt(connection, prompt.id);
        const answer = await prompt.answer;
        connectionState.setPendingPrompt(connection, undefined);
        if (answer !== 'approved') {
          logger.info('pairing.refused', { client: client.name, answer });
          throw pipeError(answer === 'timeout' ? 'TIMEOUT' : 'DECLINED', answer === 'timeout' ? 'The clinician did not answer the pairing request in time.' : 'The clinician declined to pair this application.');
        }
        approval = 'clinician';
      }
      const paired = await store.add(client, approval);
      logger.info('pairing.approved', { client: client.name, clientId: paired.clientId, approval });
      return { clientId: paired.clientId, clientSecret: paired.clientSecret };
    },
  });
}
