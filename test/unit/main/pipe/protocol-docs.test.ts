import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PIPE_ERRORS } from '../../../../main/pipe/error-codes.js';
import { METHOD_PARAMS, protocolSchemas } from '../../../../main/pipe/methods/schemas.js';
import { PACKAGE_ROOT } from '../../../support/cli-process.js';
import { startPipeHarness } from '../../../support/pipe-harness.js';
import { RpcTestClient } from '../../../support/rpc-client.js';

describe('published protocol schemas', () => {
  it('docs/protocol/ holds exactly what the server validates with (run `npm run protocol-docs` after a change)', () => {
    for (const [file, schema] of Object.entries(protocolSchemas())) {
      const published = fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'protocol', file), 'utf8');
      expect(JSON.parse(published), file).toEqual(JSON.parse(JSON.stringify(schema)));
    }
  });

  it("docs/protocol.md's error table lists every error the companion sends, with its code and message", () => {
    const doc = fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'protocol.md'), 'utf8');
    for (const [name, { code, message }] of Object.entries(PIPE_ERRORS)) {
      expect(doc, name).toContain(`| \`${name}\` | ${code} | ${message} |`);
    }
  });

  it('every method the server answers has a published schema, and no other', async () => {
    const harness = await startPipeHarness();
    try {
      const c = await RpcTestClient.connect(harness.endpoint);
      for (const method of Object.keys(METHOD_PARAMS)) {
        expect((await c.request(method, {})).error?.code, method).not.toBe(-32601);
      }
      expect((await c.request('signing.unknown', {})).error?.code).toBe(-32601);
      await c.close();
    } finally {
      await harness.stop();
    }
  });
});
