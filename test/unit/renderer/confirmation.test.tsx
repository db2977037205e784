import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSnapshot } from '../../../preload/contract';
import { App } from '../../../renderer/app';
import { createAppStore } from '../../../renderer/stores/app-store';
import { confirmationView } from '../../support/confirmation-fixture';
import { fakeApi, sandboxSnapshot } from './fake-api';

afterEach(cleanup);

const signedIn: AppSnapshot = {
  ...sandboxSnapshot,
  session: { ...sandboxSnapshot.session, signedIn: true, user: { uid: '555000000001', name: 'Sandbox Clinician', roleId: '555000999001', roleName: 'Sandbox Prescriber' } },
};

function renderConfirmation(view = confirmationView()) {
  const fake = fakeApi({ ok: true, value: { ...signedIn, signing: { current: view, waiting: 2 } } });
  render(<App store={createAppStore(fake.api)} />);
  return fake;
}

describe('Confirmation', () => {
  it('shows every prescription with its patient and items, and marks controlled drugs', async () => {
    renderConfirmation();
    const heading = await screen.findByRole('heading', { level: 1, name: /Check and sign 2 prescriptions/ });
    expect(document.activeElement).toBe(heading);
    const cards = screen.getAllByTestId('prescription');
    expect(cards).toHaveLength(2);
    expect(within(cards[0]!).getByText('Amoxicillin 250mg capsules')).toBeTruthy();
    expect(within(cards[0]!).queryByTestId('controlled-drug')).toBeNull();
    const cd = within(cards[1]!).getByTestId('controlled-drug');
    expect(cd.textContent).toContain('CD Schedule 2');
    expect(cd.textContent).toContain('one hundred millilitres');
    expect(within(cards[1]!).getByTestId('controlled-drug-tag').textContent).toBe('Controlled drug');
    expect(screen.getByText('1 prescription has a controlled drug')).toBeTruthy();
    expect(screen.getByTestId('queue').textContent).toBe('2 more requests are waiting.');
    expect(document.title).toBe('(3) Waiting for you: Signing Companion');
  });

  it('sends the ticked prescriptions with the passcode, then empties the field', async () => {
    const fake = renderConfirmation();
    fireEvent.click(await screen.findByLabelText('Sign this prescription for Ada LOVELACE'));
    expect(screen.getByRole('button', { name: 'Sign 1 prescription' })).toBeTruthy();
    const field = screen.getByLabelText<HTMLInputElement>('Smartcard passcode');
    expect(field.type).toBe('password');
    expect(field.autocomplete).toBe('off');
    fireEvent.change(field, { target: { value: '1234' } });
    fireEvent.submit(field.form!);
    expect(fake.signingAnswers).toEqual([
      [confirmationView().id, { approve: true, itemIds: ['rx-2'], passcode: '1234', confirmFinalTry: false, cardKey: 'SANDBOX/01' }],
    ]);
    expect(field.value).toBe('');
  });

  it('cannot sign with nothing ticked, and declining sends no passcode', async () => {
    const fake = renderConfirmation();
    fireEvent.click(await screen.findByLabelText('Sign this prescription for Ada LOVELACE'));
    fireEvent.click(screen.getByLabelText('Sign this prescription for Alan TURING'));
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Nothing chosen to sign' }).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Smartcard passcode'), { target: { value: '1234' } });
    fireEvent.click(screen.getByRole('button', { name: 'Do not sign any' }));
    expect(fake.signingAnswers[0]![1]).toEqual({ approve: false, itemIds: [], passcode: null, confirmFinalTry: false, cardKey: null });
    expect((screen.getByLabelText<HTMLInputElement>('Smartcard passcode')).value).toBe('');
  });

  it('on the last try, warns and asks for confirmation, which is sent with the answer', async () => {
    const fake = renderConfirmation(confirmationView({ message: 'The passcode is incorrect. You have 1 try left: one more wrong passcode locks the card.', signer: { ...confirmationView().signer, passcode: { ...confirmationView().signer.passcode, countLow: true, finalTry: true } } }));
    expect((await screen.findByTestId('confirmation-message')).textContent).toMatch(/1 try left/);
    expect(screen.getByTestId('final-try').textContent).toMatch(/locks your card/);
    fireEvent.click(screen.getByLabelText('I understand, use my last try'));
    fireEvent.change(screen.getByLabelText('Smartcard passcode'), { target: { value: '1234' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign 2 prescriptions' }));
    expect(fake.signingAnswers[0]![1].confirmFinalTry).toBe(true);
  });

  it('with a PIN pad reader, asks for no passcode in the window', async () => {
    const fake = renderConfirmation(confirmationView({ signer: { ...confirmationView().signer, passcode: { ...confirmationView().signer.passcode, pinPad: true } } }));
    expect((await screen.findByTestId('pin-pad')).textContent).toMatch(/keypad/);
    expect(screen.queryByLabelText('Smartcard passcode')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Sign 2 prescriptions' }));
    expect(fake.signingAnswers[0]![1].passcode).toBeNull();
  });

  it('lists what will not be signed and why', async () => {
    renderConfirmation(confirmationView({ refused: [{ id: 'rx-9', code: 'DIGEST_MISMATCH', message: 'Not signed: the digest sent was computed over different content.' }] }));
    const refused = await screen.findByTestId('refused');
    expect(refused.textContent).toContain('1 prescription will not be signed');
    expect(refused.textContent).toContain('rx-9');
  });

  it('while signing, shows progress and offers no buttons', async () => {
    renderConfirmation(confirmationView({ stage: 'signing', progress: { done: 1, total: 2 } }));
    expect((await screen.findByTestId('signing-progress')).textContent).toContain('1 of 2 done');
    expect(screen.queryByRole('button', { name: /^Sign \d/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Do not sign/ })).toBeNull();
    expect(screen.getByLabelText<HTMLInputElement>('Sign this prescription for Ada LOVELACE').disabled).toBe(true);
  });

  it('signs in when asked, from the window', async () => {
    const fake = fakeApi({ ok: true, value: { ...sandboxSnapshot, session: { ...sandboxSnapshot.session, signInRequested: true } } });
    render(<App store={createAppStore(fake.api)} />);
    expect(await screen.findByRole('heading', { name: 'Your prescribing system asks you to sign in' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Not now' }));
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(fake.sessionCalls).toEqual(['cancelSignIn', 'signIn']);
  });
});

describe('PIN pad countdown', () => {
  it('tells the clinician to use the keypad and counts down to the deadline', async () => {
    const deadline = new Date(Date.now() + 30_000).toISOString();
    renderConfirmation(confirmationView({ stage: 'pin-pad', pinPadDeadline: deadline, signer: { ...confirmationView().signer, passcode: { ...confirmationView().signer.passcode, pinPad: true } } }));
    const countdown = await screen.findByTestId('pin-pad-countdown');
    expect(countdown.textContent).toContain("keypad now");
    expect(countdown.textContent).toMatch(/(30|29) seconds left/);
    expect(screen.queryByRole('button', { name: /^Sign \d/ })).toBeNull();
  });
});
