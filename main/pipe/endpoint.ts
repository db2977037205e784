import { createHash } from 'node:crypto';
import path from 'node:path';
import { CompanionError } from '../errors.js';
import type { WindowsIdentity } from '../platform/windows-identity.js';

/**
 * The name prescribing systems connect to.
 *
 * Unix: a socket in the per-user run folder (0700), itself 0600. Windows: a named pipe whose name is a
 * hash of the user's SID and the Windows session id, so two clinicians on one terminal server, or one in
 * two sessions, never share a pipe (docs/protocol.md gives the rule, for clients that do not read the
 * discovery file).
 */
export interface EndpointInputs {
  platform: NodeJS.Platform;
  home: string;
  runDir: string;
  /** Windows only: without it (it could not be read) the name falls back to the per-user home folder. */
  windowsIdentity?: WindowsIdentity;
}

// sun_path is 108 bytes on Linux and 104 on macOS, each including the terminating NUL.
const MAX_SOCKET_PATH_BYTES = 103;

export function pipeEndpoint({ platform, home, runDir, windowsIdentity }: EndpointInputs): string {
  if (platform === 'win32') {
    const source = windowsIdentity ? `${windowsIdentity.sid.toUpperCase()}:${windowsIdentity.sessionId}` : path.win32.normalize(home).toLowerCase();
    const digest = createHash('sha256').update(source, 'utf8').digest('hex');
    return `\\\\.\\pipe\\signing-companion-${digest.slice(0, 24)}`;
  }
  const socketPath = path.posix.join(runDir, 'companion.sock');
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new CompanionError(
      'ENDPOINT_PATH_TOO_LONG',
      `The socket path ${socketPath} is longer than this OS allows (${MAX_SOCKET_PATH_BYTES} bytes). Set SIGNING_COMPANION_HOME to a shorter folder.`,
    );
  }
  return socketPath;
}
