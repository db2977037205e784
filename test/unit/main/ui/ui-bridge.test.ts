import { describe, expect, it } from 'vitest';
import { sandboxSnapshot as snapshot } from '../../../support/snapshots.js';
import { CompanionError } from '../../../../main/errors.js';
import { createMemoryLogger } from '../../../../main/platform/logger.js';
import { AppState } from '../../../../main/ui/app-state.js';
import { UiBridge, type UiHandlers } from '../../../../main/ui/ui-bridge.js';
import { STUB_SCHEMAS, stubHandlers } from '../../../support/ui-stubs.js';


function bridgeWith(handler: UiHandlers['app.getSnapshot']) {
  const state = new AppState(snapshot);
  const logger = createMemoryLogger();
  const bridge = new UiBridge(
    stubHandlers({ 'app.getSnapshot': handler }),
    STUB_SCHEMAS,
    { subscribe: (listener) => state.subscribe((s) => listener('app.snapshot', s)) },
    logger,
  );
  return { bridge, state, logger };
}

describe('UiBridge', () => {
  it('answers a known channel with valid arguments', async () => {
    const { bridge } = bridgeWith(() => Promise.resolve(snapshot));
    expect(await bridge.invoke('app.getSnapshot', [])).toEqual({ ok: true, value: snapshot });
  });

  it('refuses channels the contract does not name, including prototype names', async () => {
    const { bridge } = bridgeWith(() => Promise.resolve(snapshot));
    for (const channel of ['app.deleteEverything', '__proto__', 'constructor', 42]) {
      expect(await bridge.invoke(channel, [])).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    }
  });

  it('refuses arguments the channel does not accept', async () => {
    const { bridge, logger } = bridgeWith(() => Promise.resolve(snapshot));
    expect(await bridge.invoke('app.getSnapshot', ['extra'])).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await bridge.invoke('app.getSnapshot', 'not an array')).toMatchObject({ ok: false });
    expect(logger.lines.map((l) => l.event)).toContain('ui.invalid_arguments');
  });

  it('returns typed errors as they are, and hides unexpected ones', async () => {
    const typed = bridgeWith(() => Promise.reject(new CompanionError('POLICY_INVALID', 'Bad policy.')));
    expect(await typed.bridge.invoke('app.getSnapshot', [])).toEqual({
      ok: false,
      error: { code: 'POLICY_INVALID', message: 'Bad policy.' },
    });
    const crash = bridgeWith(() => Promise.reject(new TypeError('x is undefined at line 3')));
    const result = await crash.bridge.invoke('app.getSnapshot', []);
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(result)).not.toContain('line 3');
  });

  it('pushes every state change to subscribers until they unsubscribe', () => {
    const { bridge, state } = bridgeWith(() => Promise.resolve(snapshot));
    const seen: number[] = [];
    const stop = bridge.subscribe((_event, payload) => seen.push(payload.pipe.connections));
    state.update((s) => ({ ...s, pipe: { ...s.pipe, connections: 1 } }));
    stop();
    state.update((s) => ({ ...s, pipe: { ...s.pipe, connections: 2 } }));
    expect(seen).toEqual([1]);
  });
});
