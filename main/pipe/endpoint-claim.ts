import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { CompanionError } from '../errors.js';

/**
 * Makes sure the endpoint is ours to listen on.
 *
 * One companion per user session: if something answers on the endpoint, another instance is live and this
 * one stops. A socket file nobody answers on was left by a crash and is replaced. A path owned by another
 * user, or that is not a socket, is never touched: that would let someone else's endpoint be taken over.
 */
export async function claimEndpoint(endpoint: string, platform: NodeJS.Platform): Promise<void> {
  if (platform !== 'win32') {
    await prepareRunDir(path.dirname(endpoint));
    const stat = await fs.lstat(endpoint).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        return null;
      }
      throw err;
    });
    if (!stat) {
      return;
    }
    if (!stat.isSocket()) {
      throw new CompanionError(
        'ENDPOINT_IN_USE',
        `${endpoint} exists and is not a socket, so Signing Companion will not replace it. Remove it and start again.`,
      );
    }
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
      throw new CompanionError(
        'ENDPOINT_IN_USE',
        `${endpoint} belongs to another user, so Signing Companion will not use it.`,
      );
    }
  }
  const answer = await probe(endpoint);
  if (answer === 'live') {
    throw new CompanionError(
      'ALREADY_RUNNING',
      'Signing Companion is already running for this user. Use the one that is running (its icon is in the tray).',
    );
  }
  if (answer === 'stale' && platform !== 'win32') {
    await fs.rm(endpoint, { force: true });
  }
}

/** Creates the per-user run folder with mode 0700 and refuses one that another user owns. */
export async function prepareRunDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const stat = await fs.stat(dir);
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
    throw new CompanionError('ENDPOINT_IN_USE', `The run folder ${dir} belongs to another user.`);
  }
  await fs.chmod(dir, 0o700);
}

function probe(endpoint: string): Promise<'live' | 'stale' | 'absent'> {
  // Only "connection refused" proves a socket file is stale; any other failure leaves it alone.
  return new Promise((resolve) => {
    const socket = net.connect(endpoint);
    const timer = setTimeout(() => {
      // Something accepted the connection attempt but is too busy to complete it: treat it as live.
      socket.destroy();
      resolve('live');
    }, 2000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('live');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT') {
        resolve('absent');
      } else if (err.code === 'ECONNREFUSED') {
        resolve('stale');
      } else {
        resolve('live');
      }
    });
  });
}
