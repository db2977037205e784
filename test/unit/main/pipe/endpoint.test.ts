import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CompanionError } from '../../../../main/errors.js';
import { pipeEndpoint } from '../../../../main/pipe/endpoint.js';
import { listenError } from '../../../../main/pipe/pipe-server.js';
import { parseTasklistSession, parseWhoamiSid, readWindowsIdentity } from '../../../../main/platform/windows-identity.js';

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

describe('the Windows pipe name from SID and session', () => {
  const sid = 'S-1-5-21-3623811015-3361044348-30300820-1013';

  it('differs between sessions of one user and between users in one session, and is stable', () => {
    const name = (identity: { sid: string; sessionId: number }) => pipeEndpoint({ platform: 'win32', home: 'C:\\same', runDir: '', windowsIdentity: identity });
    const mine = name({ sid, sessionId: 2 });
    expect(mine).toMatch(/^\\\\\.\\pipe\\signing-companion-[0-9a-f]{24}$/);
    expect(name({ sid: sid.toLowerCase(), sessionId: 2 })).toBe(mine);
    expect(name({ sid, sessionId: 3 })).not.toBe(mine);
    expect(name({ sid: 'S-1-5-21-3623811015-3361044348-30300820-1014', sessionId: 2 })).not.toBe(mine);
    // The documented rule: the first 24 hex digits of SHA-256("<SID>:<session id>").
    expect(mine).toBe(`\\\\.\\pipe\\signing-companion-${createHash('sha256').update(`${sid}:2`).digest('hex').slice(0, 24)}`);
  });

  it('reads the SID from whoami and the session from tasklist', async () => {
    const run = (file: string) =>
      Promise.resolve({
        stdout:
          file === 'whoami'
            ? `"NHSTRUST\\\\ada.lovelace","${sid}"\r\n`
            : '"Signing Companion.exe","4242","RDP-Tcp#7","3","88,120 K"\r\n',
      });
    expect(await readWindowsIdentity(4242, run)).toEqual({ sid, sessionId: 3 });
    expect(() => parseTasklistSession('INFO: No tasks are running which match the specified criteria.', 4242)).toThrow(CompanionError);
    expect(() => parseWhoamiSid('')).toThrow(/SID/);
    await expect(readWindowsIdentity(1, () => Promise.reject(new Error('ENOENT')))).rejects.toThrow(/whoami, tasklist/);
  });
});

describe('listening on a name someone else holds', () => {
  it('refuses with ENDPOINT_IN_USE and says it never shares its endpoint', () => {
    const err = listenError(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }), '\\\\.\\pipe\\signing-companion-x');
    expect(err).toBeInstanceOf(CompanionError);
    expect(err).toMatchObject({ code: 'ENDPOINT_IN_USE', message: expect.stringContaining('never shares') as string });
    const other = Object.assign(new Error('boom'), { code: 'EIO' });
    expect(listenError(other, 'x')).toBe(other);
  });
});
