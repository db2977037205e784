import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EPS_CORPUS, prepareCases } from '../support/eps-corpus.js';
import { runCli } from '../support/cli-process.js';

const env = process.env;
const finished = async (args: string[]) => {
  const command = runCli(args, env);
  const { code } = await command.exited;
  return { code, stdout: command.stdout.join('\n'), stderr: command.stderr.join('\n') };
};

describe('signing-companion prepare / show / verify (offline)', () => {
  it('prepare prints exactly the Parameters EPS returned, for a corpus case', async () => {
    const testCase = prepareCases()[5]!;
    const file = path.join(EPS_CORPUS, 'prepare', testCase.name, 'prepare-request.json');
    const result = await finished(['prepare', file, '--timestamp', testCase.timestamp, '--algorithm', testCase.algorithm]);
    expect(result.code).toBe(0);
    const expected = JSON.parse(fs.readFileSync(path.join(EPS_CORPUS, 'prepare', testCase.name, 'prepare-response.json'), 'utf8')) as unknown;
    expect(JSON.parse(result.stdout)).toEqual(expected);
  });

  it('prepare defaults the timestamp to now and refuses an unknown algorithm', async () => {
    const file = path.join(EPS_CORPUS, 'prepare', prepareCases()[0]!.name, 'prepare-request.json');
    const result = await finished(['prepare', file]);
    const timestamp = (JSON.parse(result.stdout) as { parameter: { name: string; valueString: string }[] }).parameter[1]!.valueString;
    expect(Math.abs(Date.parse(timestamp) - Date.now())).toBeLessThan(60_000);
    expect((await finished(['prepare', file, '--algorithm', 'RS512'])).code).toBe(2);
  });

  it('show prints the prescription as the clinician reads it', async () => {
    const file = path.join(EPS_CORPUS, 'prepare', prepareCases().find((c) => c.name.includes('controlled-drugs_additional-instructions_1'))!.name, 'prepare-request.json');
    const result = await finished(['show', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('NHS number            944 930 5552');
    expect(result.stdout).toContain('ITEM 1  [CONTROLLED DRUG: Schedule 2]');
  });

  it('verify exits 0 for a valid signature and 1 otherwise, with the verdict as JSON on request', async () => {
    expect((await finished(['verify', path.join(EPS_CORPUS, 'signed', 'ValidSignature.xml')])).code).toBe(0);
    const invalid = await finished(['verify', path.join(EPS_CORPUS, 'signed', 'SignatureIsInvalid.xml'), '--json']);
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.stdout)).toMatchObject({ valid: false, signatureValid: false, digestMatches: true });
  });

  it('bad content gives one plain line and exit code 1, never a stack trace', async () => {
    const result = await finished(['show', path.join(EPS_CORPUS, 'README.md')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^signing-companion: The content is not valid JSON/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
