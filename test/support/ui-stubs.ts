import { UI_ARG_SCHEMAS } from '../../main/ui/ui-arg-schemas.js';
import type { UiArgSchemas, UiHandlers } from '../../main/ui/ui-bridge.js';

/** Handlers for every channel that answer "nothing happened", for tests of the bridge itself. */
export function stubHandlers(overrides: Partial<UiHandlers>): UiHandlers {
  return {
    'app.getSnapshot': () => Promise.reject(new Error('no snapshot in this test')),
    'pairing.respond': () => Promise.resolve(false),
    'pairing.revoke': () => Promise.resolve(false),
    'signing.respond': () => Promise.resolve(false),
    'session.signIn': () => Promise.resolve(false),
    'session.cancelSignIn': () => Promise.resolve(false),
    'session.signOut': () => Promise.resolve(false),
    ...overrides,
  };
}

export const STUB_SCHEMAS: UiArgSchemas = UI_ARG_SCHEMAS;
