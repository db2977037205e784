import { z } from 'zod';
import type { SessionService } from '../../session/session-service.js';
import { SigningError } from '../../signing/signing-error.js';
import { pipeErrorFrom } from '../error-codes.js';
import { defineMethod } from '../json-rpc.js';
import { requirePaired } from './connection-state.js';

export const SignInParams = z.object({}).strict();

/**
 * `session.signIn`: asks the clinician to sign in, and answers when they have (at once if they already
 * are). Answers with the same fields as `session.getStatus`'s session part.
 */
export function signInMethod(session: SessionService) {
  return defineMethod({
    cancellable: true,
    params: SignInParams,
    handle: async (_params, connection, call) => {
      requirePaired(connection);
      try {
        const info = await session.signIn(call.signal);
        return { signedIn: true, user: info.user, aal: info.aal, expiresAt: info.expiresAt };
      } catch (err) {
        if (err instanceof SigningError) {
          throw pipeErrorFrom(err);
        }
        throw err;
      }
    },
  });
}
