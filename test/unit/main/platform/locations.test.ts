import { describe, expect, it } from 'vitest';
import { resolveLocations } from '../../../../main/platform/locations.js';

describe('resolveLocations', () => {
  it('uses the environment variables when set, so each instance can have its own folder', () => {
    const locations = resolveLocations({
      env: { SIGNING_COMPANION_HOME: '/tmp/a', SIGNING_COMPANION_POLICY: '/tmp/p.json' },
      platform: 'linux',
      homedir: '/home/dr',
    });
    expect(locations).toEqual({
      home: '/tmp/a',
      runDir: '/tmp/a/run',
      discoveryFile: '/tmp/a/run/companion.json',
      logDir: '/tmp/a/logs',
      policyFile: '/tmp/p.json',
    });
  });

  it('ignores empty variables rather than using the current folder', () => {
    const locations = resolveLocations({
      env: { SIGNING_COMPANION_HOME: ' ', SIGNING_COMPANION_POLICY: '' },
      platform: 'linux',
      homedir: '/home/dr',
    });
    expect(locations.home).toBe('/home/dr/.local/state/signing-companion');
    expect(locations.policyFile).toBe('/etc/signing-companion/policy.json');
  });

  it('follows XDG_STATE_HOME on Linux', () => {
    const { home } = resolveLocations({ env: { XDG_STATE_HOME: '/x/state' }, platform: 'linux', homedir: '/home/dr' });
    expect(home).toBe('/x/state/signing-companion');
  });

  it('uses the per-user and machine-wide folders of Windows', () => {
    const locations = resolveLocations({
      env: { LOCALAPPDATA: 'C:\\Users\\dr\\AppData\\Local', ProgramData: 'D:\\ProgramData' },
      platform: 'win32',
      homedir: 'C:\\Users\\dr',
    });
    expect(locations.home).toBe('C:\\Users\\dr\\AppData\\Local\\Signing Companion');
    expect(locations.discoveryFile).toBe('C:\\Users\\dr\\AppData\\Local\\Signing Companion\\run\\companion.json');
    expect(locations.policyFile).toBe('D:\\ProgramData\\Signing Companion\\policy.json');
  });

  it('uses Application Support on macOS', () => {
    const locations = resolveLocations({ env: {}, platform: 'darwin', homedir: '/Users/dr' });
    expect(locations.home).toBe('/Users/dr/Library/Application Support/Signing Companion');
    expect(locations.policyFile).toBe('/Library/Application Support/Signing Companion/policy.json');
  });
});
