import type net from 'node:net';

/** Ends a socket and resolves once it has closed (at once if it already has). */
export function endSocket(socket: net.Socket): Promise<void> {
  if (socket.closed) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.end();
  });
}
