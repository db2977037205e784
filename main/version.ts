import fs from 'node:fs';
import path from 'node:path';
import { findPackageRoot } from './platform/package-root.js';

/** The product's name and version, read once from package.json so there is one source of truth. */
const pkg = JSON.parse(fs.readFileSync(path.join(findPackageRoot(), 'package.json'), 'utf8')) as {
  version: string;
};

export const PRODUCT_NAME = 'Signing Companion';
export const PRODUCT_VERSION: string = pkg.version;
