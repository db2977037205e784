import { protocol } from 'electron';
import { securityHeaders } from '../../ui/security-headers.js';
import { readStaticFile } from '../../ui/static-files.js';

/**
 * `app://companion/`: the window's files, served from the app bundle rather than `file://`.
 *
 * A custom standard scheme gives the page a real origin for its CSP and keeps `file://` privileges off
 * (see the Electron security checklist, "use a custom protocol instead of file://").
 */
export const APP_ORIGIN = 'app://companion';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false } },
  ]);
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    const file =
      url.host === 'companion' ? await readStaticFile(rendererDir, url.pathname.slice(1) || 'index.html') : null;
    if (!file) {
      return new Response(null, { status: 404 });
    }
    return new Response(new Uint8Array(file.body), {
      headers: { 'Content-Type': file.contentType, ...securityHeaders({ connectSrc: "'none'" }) },
    });
  });
}
