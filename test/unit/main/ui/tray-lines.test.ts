import { describe, expect, it } from 'vitest';
import { trayLines } from '../../../../main/ui/tray-lines.js';
import { confirmationView } from '../../../support/confirmation-fixture.js';
import { sandboxSnapshot } from '../../../support/snapshots.js';

describe('trayLines', () => {
  it('marks the sandbox, and says why the card cannot sign', () => {
    const { tooltip, lines } = trayLines(sandboxSnapshot);
    expect(tooltip).toBe('Signing Companion (SANDBOX: not for clinical use)');
    expect(lines).toEqual(['SANDBOX: not for clinical use', 'Not signed in', 'Smartcard: No card.', 'No prescribing systems connected']);
  });

  it('counts the requests waiting for the clinician, the one shown included', () => {
    const { tooltip, lines } = trayLines({
      ...sandboxSnapshot,
      signers: { ...sandboxSnapshot.signers, card: { available: true } },
      signing: { current: confirmationView(), waiting: 2 },
    });
    expect(tooltip).toContain('3 waiting for you');
    expect(lines).toContain('Smartcard: ready');
    expect(lines).toContain('Waiting for you: 3 requests');
  });
});
