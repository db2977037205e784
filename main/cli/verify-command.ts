import fs from 'node:fs/promises';
import { verifyContent } from '../prescriptions/verify-content.js';
import { formatOf } from './prepare-command.js';

/** `signing-companion verify <file>`: the verdict on a signed prescription; exit 0 only if valid. */
export async function verifyCommand(file: string, { json }: { json: boolean }): Promise<number> {
  const content = await fs.readFile(file, 'utf8');
  const verdict = verifyContent(formatOf(content), content);
  if (json) {
    process.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
  } else {
    const mark = (ok: boolean) => (ok ? 'yes' : 'NO');
    process.stdout.write(
      [
        verdict.valid ? 'VALID signature' : 'NOT VALID',
        `  Signature value verifies:  ${mark(verdict.signatureValid)}`,
        `  Signed what is shown:      ${mark(verdict.digestMatches)}`,
        `  Algorithm:                 ${verdict.algorithm ?? '(unknown)'}`,
        `  Signed at:                 ${verdict.signedAt ?? '(unknown)'}`,
        `  Certificate:               ${verdict.certificate ? `${verdict.certificate.subject} (issuer ${verdict.certificate.issuer})` : '(none)'}`,
        ...verdict.errors.map((error) => `  - ${error}`),
        '',
      ].join('\n'),
    );
  }
  return verdict.valid ? 0 : 1;
}
