import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStaticFile } from '../../../../main/ui/static-files.js';

let root: string;
let outside: string;
beforeAll(async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'sc-static-'));
  root = path.join(base, 'renderer');
  outside = path.join(base, 'secret.js');
  await fs.mkdir(path.join(root, 'assets'), { recursive: true });
  await fs.writeFile(path.join(root, 'index.html'), '<!doctype html>');
  await fs.writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  await fs.writeFile(path.join(root, 'notes.txt'), 'plain');
  await fs.writeFile(outside, 'secret');
  await fs.symlink(outside, path.join(root, 'assets', 'link.js'));
});
afterAll(async () => {
  await fs.rm(path.dirname(root), { recursive: true, force: true });
});

describe('readStaticFile', () => {
  it('serves files inside the folder with their content type', async () => {
    expect(await readStaticFile(root, 'assets/app.js')).toMatchObject({ contentType: 'text/javascript; charset=utf-8' });
    expect((await readStaticFile(root, 'index.html'))?.body.toString()).toBe('<!doctype html>');
  });

  it('never serves anything outside the folder', async () => {
    for (const attempt of ['../secret.js', 'assets/../../secret.js', '/etc/passwd', 'assets/link.js', 'a\0b', '..\\secret.js']) {
      expect(await readStaticFile(root, attempt)).toBeNull();
    }
  });

  it('serves only known file types, and no folders', async () => {
    expect(await readStaticFile(root, 'notes.txt')).toBeNull();
    expect(await readStaticFile(root, 'assets')).toBeNull();
    expect(await readStaticFile(root, 'missing.js')).toBeNull();
  });
});
