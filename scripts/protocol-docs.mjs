#!/usr/bin/env node
// Writes docs/protocol/*.json from the schemas the pipe server validates with (run after `npm run build`).
// A test fails when the committed files differ from what this writes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { protocolSchemas } = await import(path.join(root, 'dist/main/pipe/methods/schemas.js'));
const dir = path.join(root, 'docs', 'protocol');
fs.mkdirSync(dir, { recursive: true });
for (const [file, schema] of Object.entries(protocolSchemas())) {
  fs.writeFileSync(path.join(dir, file), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`docs/protocol/${file}`);
}
