import { describe, expect, it } from 'vitest';
import type { AppSnapshot } from '../../../../preload/contract.js';
import { needsAttention } from '../../../../main/ui/attention.js';
import { confirmationView } from '../../../support/confirmation-fixture.js';
import { sandboxSnapshot } from '../../../support/snapshots.js';

const withConfirmation = (id: string, change = {}): AppSnapshot => ({ ...sandboxSnapshot, signing: { current: { ...confirmationView(), id, ...change }, waiting: 0 } });

describe('needsAttention', () => {
  it('brings the window forward for a new request, pairing or sign-in', () => {
    expect(needsAttention(sandboxSnapshot, withConfirmation('a'))).toBe(true);
    expect(needsAttention(withConfirmation('a'), withConfirmation('b'))).toBe(true);
    const pairing = { ...sandboxSnapshot, pairing: { prompts: [{ id: 'p1', clientName: 'EPR', clientVersion: '1', vendor: null, code: '123456' }], paired: [] } };
    expect(needsAttention(sandboxSnapshot, pairing)).toBe(true);
    expect(needsAttention(sandboxSnapshot, { ...sandboxSnapshot, session: { ...sandboxSnapshot.session, signInRequested: true } })).toBe(true);
  });

  it('does not steal focus for updates to what is already shown', () => {
    expect(needsAttention(withConfirmation('a'), withConfirmation('a', { message: 'The passcode is incorrect.' }))).toBe(false);
    expect(needsAttention(withConfirmation('a'), withConfirmation('a', { stage: 'signing', progress: { done: 1, total: 2 } }))).toBe(false);
    expect(needsAttention(withConfirmation('a'), sandboxSnapshot)).toBe(false);
    expect(needsAttention(sandboxSnapshot, { ...sandboxSnapshot, pipe: { ...sandboxSnapshot.pipe, connections: 3 } })).toBe(false);
  });
});
