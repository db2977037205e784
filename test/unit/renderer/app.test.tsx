import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/app';
import { createAppStore } from '../../../renderer/stores/app-store';
import { fakeApi, sandboxSnapshot } from './fake-api';

afterEach(cleanup);

function renderWith(first: Parameters<typeof fakeApi>[0]) {
  const fake = fakeApi(first);
  render(<App store={createAppStore(fake.api)} />);
  return fake;
}

describe('App', () => {
  it('marks a sandbox window as not for clinical use, above everything else', async () => {
    renderWith({ ok: true, value: sandboxSnapshot });
    const banner = await screen.findByRole('region', { name: 'Environment' });
    expect(banner.textContent).toContain('SANDBOX');
    expect(banner.textContent).toContain('Not for clinical use.');
    expect(banner.compareDocumentPosition(screen.getByRole('banner')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('shows no environment banner in live', async () => {
    renderWith({
      ok: true,
      value: { ...sandboxSnapshot, environment: { name: 'live', label: 'Live', clinicalUse: true, notice: null } },
    });
    await screen.findByText('Live');
    expect(screen.queryByRole('region', { name: 'Environment' })).toBeNull();
  });

  it('summarises environment, sign-in and connections at a glance, and updates live', async () => {
    const fake = renderWith({ ok: true, value: sandboxSnapshot });
    const status = await screen.findByTestId('status');
    expect(within(status).getByText('Sandbox (not for clinical use)')).toBeTruthy();
    expect(within(status).getByText('Not signed in')).toBeTruthy();
    expect(within(status).getByText('None connected')).toBeTruthy();
    expect(within(status).getByText('/run/user/1000/companion.sock')).toBeTruthy();
    fake.push({
      ...sandboxSnapshot,
      session: { ...sandboxSnapshot.session, signedIn: true, user: { uid: '555', name: 'Dr Ada Lovelace', roleId: '100102238986', roleName: 'GP' } },
      pipe: { ...sandboxSnapshot.pipe, connections: 1 },
    });
    expect(await within(status).findByText('1 connection')).toBeTruthy();
    expect(within(status).getByText('Dr Ada Lovelace (GP)')).toBeTruthy();
  });

  it('says plainly that nothing is waiting', async () => {
    renderWith({ ok: true, value: sandboxSnapshot });
    expect(await screen.findByRole('heading', { level: 1, name: 'Prescriptions to sign' })).toBeTruthy();
    expect(screen.getByText('No prescriptions are waiting for your signature.')).toBeTruthy();
  });

  it('shows the reason, not a stack trace, when the core does not answer', async () => {
    renderWith({ ok: false, error: { code: 'DISCONNECTED', message: 'Signing Companion has stopped.' } });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Signing Companion is not responding');
    expect(alert.textContent).toContain('Signing Companion has stopped.');
  });

  it('offers a skip link as the first thing on the page, for keyboard users', async () => {
    renderWith({ ok: true, value: sandboxSnapshot });
    await screen.findByTestId('status');
    const first = document.body.querySelector('a, button, [tabindex]');
    expect(first?.textContent).toBe('Skip to main content');
    expect(first?.getAttribute('href')).toBe('#main');
  });
});
