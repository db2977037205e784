import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './cli-process.js';

/**
 * NHS England's conformance corpus, read where it lives (beside the project), never copied into it.
 * `EPS_CONFORMANCE_DIR` points elsewhere. A missing corpus fails the tests that need it rather than
 * skipping them.
 */
export const EPS_CORPUS = process.env.EPS_CONFORMANCE_DIR ?? path.resolve(PACKAGE_ROOT, '..', 'shared', 'conformance', 'eps');

export interface PrepareCase {
  name: string;
  request: string;
  digest: string;
  timestamp: string;
  algorithm: 'RS1' | 'RS256';
  /** EPS's own HL7 V3 translation of the signed version of the same case, where the corpus has one. */
  convertedXml: string | null;
}

function requireCorpus(): void {
  if (!fs.existsSync(path.join(EPS_CORPUS, 'prepare'))) {
    throw new Error(
      `NHS England's EPS conformance corpus was not found at ${EPS_CORPUS}. It lives in shared/conformance/eps beside the checkout; set EPS_CONFORMANCE_DIR to use another place.`,
    );
  }
}

export function prepareCases(): PrepareCase[] {
  requireCorpus();
  const dir = path.join(EPS_CORPUS, 'prepare');
  return fs
    .readdirSync(dir)
    .sort()
    .map((name) => {
      const read = (file: string) => fs.readFileSync(path.join(dir, name, file), 'utf8');
      const response = JSON.parse(read('prepare-response.json')) as { parameter: { name: string; valueString: string }[] };
      const value = (key: string) => response.parameter.find((p) => p.name === key)?.valueString ?? '';
      return {
        name,
        request: read('prepare-request.json'),
        digest: value('digest'),
        timestamp: value('timestamp'),
        algorithm: value('algorithm') as 'RS1' | 'RS256',
        convertedXml: fs.existsSync(path.join(dir, name, 'convert-response-send.xml')) ? read('convert-response-send.xml') : null,
      };
    });
}

export function signedExample(file: string): string {
  requireCorpus();
  return fs.readFileSync(path.join(EPS_CORPUS, 'signed', file), 'utf8');
}
