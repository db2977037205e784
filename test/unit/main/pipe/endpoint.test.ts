import { describe, expect, it } from 'vitest';
import { CompanionError } from '../../../../main/errors.js';
import { pipeEndpoint } from '../../../../main/pipe/endpoint.js';

describe('pipeEndpoint', () => {
  it('puts the Unix socket in the per-user run folder', () => {
    expect(pipeEndpoint({ platform: 'linux', home: '/h', runDir: '/h/run' })).toBe('/h/run/companion.sock');
  });

  it('derives a Windows pipe name from the home folder, the same for the same user every time', () => {
    const a = pipeEndpoint({ platform: 'win32', home: 'C:\\Users\\a\\AppData\\Local\\Signing Companion', runDir: '' });
    const again = pipeEndpoint({ platform: 'win32', home: 'c:\\users\\A\\appdata\\local\\signing companion', runDir: '' });
    const b = pipeEndpoint({ platform: 'win32', home: 'C:\\Users\\b\\AppData\\Local\\Signing Companion', runDir: '' });
    expect(a).toMatch(/^\\\\\.\\pipe\\signing-companion-[0-9a-f]{24}$/);
    expect(again).toBe(a);
    expect(b).not.toBe(a);
  });

  it('refuses a socket path longer than the OS allows, and says what to do', () => {
    const runDir = `/${'x'.repeat(100)}/run`;
    expect(() => pipeEndpoint({ platform: 'linux', home: '/', runDir })).toThrow(CompanionError);
    expect(() => pipeEndpoint({ platform: 'linux', home: '/', runDir })).toThrow(/SIGNING_COMPANION_HOME/);
  });
});
