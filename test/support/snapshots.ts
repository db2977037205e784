import type { AppSnapshot } from '../../preload/contract.js';

/** What the window is given in the sandbox with nobody signed in and nothing connected. */
export const sandboxSnapshot: AppSnapshot = {
  product: { name: 'Signing Companion', version: '1.2.3' },
  environment: {
    name: 'sandbox',
    label: 'Sandbox',
    clinicalUse: false,
    notice: 'Not for clinical use. Everything here is simulated.',
  },
  session: { signedIn: false, user: null, expiresAt: null, signInRequested: false, signInUnavailable: null },
  pipe: { endpoint: '/run/user/1000/companion.sock', connections: 0 },
  signers: { card: { available: false, reason: 'No card.' }, remote: { available: false, reason: 'Not set up.' } },
  pairing: { prompts: [], paired: [] },
  signing: { current: null, waiting: 0 },
  notices: [],
};
