import { z } from 'zod';
import type { AppSnapshot } from '../../../preload/contract.js';
import { defineMethod } from '../json-rpc.js';

/**
 * `session.getStatus`: who is signed in, in which environment, and which signers can sign now. Any
 * connected application may ask; it reveals no more than the tray does.
 */
export function getStatusMethod(snapshot: () => AppSnapshot) {
  return defineMethod({
    params: z.object({}).strict(),
    handle: () => {
      const { session, environment, signers } = snapshot();
      return Promise.resolve({
        signedIn: session.signedIn,
        ...(session.user ? { user: { uid: session.user.uid, name: session.user.name, roleId: session.user.roleId, roleName: session.user.roleName } } : {}),
        ...(session.user ? { aal: 'AAL3' } : {}),
        ...(session.expiresAt ? { expiresAt: session.expiresAt } : {}),
        environment: environment.name,
        signers,
      });
    },
  });
}
