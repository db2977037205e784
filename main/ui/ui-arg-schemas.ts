import { z } from 'zod';
import type { UiArgSchemas } from './ui-bridge.js';

/** What each window channel accepts: the window is not trusted to send only what the contract says. */
export const UI_ARG_SCHEMAS: UiArgSchemas = {
  'app.getSnapshot': z.tuple([]),
  'pairing.respond': z.tuple([z.string().uuid(), z.boolean()]),
  'pairing.revoke': z.tuple([z.string().uuid()]),
  'signing.respond': z.tuple([
    z.string().uuid(),
    z
      .object({
        approve: z.boolean(),
        itemIds: z.array(z.string().max(200)).max(250),
        passcode: z.string().max(64).nullable(),
        confirmFinalTry: z.boolean(),
        cardKey: z.string().max(300).nullable(),
      })
      .strict(),
  ]),
  'session.signIn': z.tuple([]),
  'session.cancelSignIn': z.tuple([]),
  'session.signOut': z.tuple([]),
};
