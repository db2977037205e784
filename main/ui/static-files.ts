import fs from 'node:fs/promises';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/**
 * Reads a built UI file, refusing anything outside the folder (`..`, absolute paths, NUL bytes, links out).
 */
export async function readStaticFile(root: string, relative: string): Promise<StaticFile | null> {
  if (relative.includes('\0') || relative.includes('\\')) {
    return null;
  }
  const resolvedRoot = await fs.realpath(root);
  const candidate = path.resolve(resolvedRoot, `.${path.posix.normalize(`/${relative}`)}`);
  let real: string;
  try {
    real = await fs.realpath(candidate);
  } catch {
    return null;
  }
  if (real !== resolvedRoot && !real.startsWith(resolvedRoot + path.sep)) {
    return null;
  }
  const stat = await fs.stat(real);
  if (!stat.isFile()) {
    return null;
  }
  const contentType = CONTENT_TYPES[path.extname(real).toLowerCase()];
  if (!contentType) {
    return null;
  }
  return { body: await fs.readFile(real), contentType };
}
