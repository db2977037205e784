import { createHash } from 'node:crypto';
import path from 'node:path';
import { CompanionError } from '../errors.js';

/**
 * The name prescribing systems connect to.
 *
 * Unix: a socket in the per-user run folder. Windows: a named pipe whose name is derived from the per-user
 * home folder, so two users on one terminal server get different pipes.
 */
export interface EndpointInputs {
  platform: NodeJS.Platform;
  home: string;
  runDir: string;
}

// sun_path is 108 bytes on Linux and 104 on macOS, each including the terminating NUL.
const MAX_SOCKET_PATH_BYTES = 103;

export function pipeEndpoint({ platform, home, runDir }: EndpointInputs): string {
  if (platform === 'win32') {
    const digest = createHash('sha256').update(path.win32.normalize(home).toLowerCase()).digest('hex');
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
