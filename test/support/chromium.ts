import fs from 'node:fs';

/**
 * Which Chromium the browser tests drive: `CHROMIUM_PATH`, else Debian's /usr/bin/chromium, else the one
 * Playwright installs for itself (`npx playwright install chromium`) on machines that can download it.
 */
export function chromiumExecutable(): string | undefined {
  const candidate = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return fs.existsSync(candidate) ? candidate : undefined;
}

/** Flags for a headless Chromium on a closed network, as root, in a container. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
