import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../../renderer/stores/app-store';
import { fakeApi, sandboxSnapshot } from './fake-api';

describe('app store', () => {
  it('starts connecting, then holds the first snapshot', async () => {
    const { api } = fakeApi({ ok: true, value: sandboxSnapshot });
    const store = createAppStore(api);
    expect(store.getState().status).toBe('connecting');
    store.getState().connect();
    await expect.poll(() => store.getState().status).toBe('ready');
    expect(store.getState().snapshot).toBe(sandboxSnapshot);
  });

  it('follows snapshots the core pushes, until disconnected', async () => {
    const fake = fakeApi({ ok: true, value: sandboxSnapshot });
    const store = createAppStore(fake.api);
    const stop = store.getState().connect();
    await expect.poll(() => store.getState().status).toBe('ready');
    fake.push({ ...sandboxSnapshot, pipe: { ...sandboxSnapshot.pipe, connections: 2 } });
    expect(store.getState().snapshot?.pipe.connections).toBe(2);
    stop();
    expect(fake.listenerCount()).toBe(0);
  });

  it('drops the last snapshot when the core goes away, so nothing stale stays on screen', async () => {
    const fake = fakeApi({ ok: true, value: sandboxSnapshot });
    const store = createAppStore(fake.api);
    store.getState().connect();
    await expect.poll(() => store.getState().status).toBe('ready');
    fake.disconnect({ code: 'DISCONNECTED', message: 'Signing Companion has stopped.' });
    expect(store.getState()).toMatchObject({ status: 'failed', snapshot: null, error: { code: 'DISCONNECTED' } });
  });

  it('keeps the typed error when the core refuses', async () => {
    const { api } = fakeApi({ ok: false, error: { code: 'DISCONNECTED', message: 'Signing Companion has stopped.' } });
    const store = createAppStore(api);
    store.getState().connect();
    await expect.poll(() => store.getState().status).toBe('failed');
    expect(store.getState().error).toEqual({ code: 'DISCONNECTED', message: 'Signing Companion has stopped.' });
  });
});
