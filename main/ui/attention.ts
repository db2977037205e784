import type { AppSnapshot } from '../../preload/contract.js';

/**
 * Whether the clinician must be brought to the window: something new is waiting for them (a request to
 * sign, a pairing, a sign-in). A prescribing system's request must never wait unseen behind other windows;
 * nothing that is merely updated (progress, a wrong passcode) steals focus.
 */
export function needsAttention(previous: AppSnapshot | null, next: AppSnapshot): boolean {
  const newConfirmation = next.signing.current !== null && next.signing.current.id !== previous?.signing.current?.id;
  const known = new Set(previous?.pairing.prompts.map((p) => p.id) ?? []);
  const newPairing = next.pairing.prompts.some((p) => !known.has(p.id));
  const newSignIn = next.session.signInRequested && !(previous?.session.signInRequested ?? false);
  return newConfirmation || newPairing || newSignIn;
}
