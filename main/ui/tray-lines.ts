import type { AppSnapshot } from '../../preload/contract.js';

/**
 * The tray's status lines, from the same snapshot as the window, so the two never disagree. Plain text
 * so it is the same in every OS's tray and can be tested without Electron.
 */
export function trayLines(snapshot: AppSnapshot): { tooltip: string; lines: string[] } {
  const { environment, session, pipe, signers, signing } = snapshot;
  const environmentLine = environment.clinicalUse ? environment.label : `${environment.label.toUpperCase()}: not for clinical use`;
  const waiting = (signing.current ? 1 : 0) + signing.waiting;
  return {
    tooltip: `Signing Companion (${environmentLine})${waiting > 0 ? `: ${waiting} waiting for you` : ''}`,
    lines: [
      environmentLine,
      session.user ? `Signed in: ${session.user.name}` : 'Not signed in',
      signers.card.available ? 'Smartcard: ready' : `Smartcard: ${signers.card.reason ?? 'not available'}`,
      pipe.connections === 0 ? 'No prescribing systems connected' : `Prescribing systems: ${pipe.connections}`,
      ...(waiting > 0 ? [`Waiting for you: ${waiting === 1 ? '1 request' : `${waiting} requests`}`] : []),
    ],
  };
}
