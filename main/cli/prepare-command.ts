import fs from 'node:fs/promises';
import { asParameters, parsePrescription, prepare } from '../prescriptions/prescription.js';

/**
 * `signing-companion prepare <file>`: what EPS `$prepare` would answer, computed offline.
 *
 * The format is taken from the content: JSON is a FHIR Bundle, XML is an HL7 V3 message.
 */
export async function prepareCommand(file: string, options: { timestamp?: string | undefined; algorithm?: string | undefined }): Promise<number> {
  const content = await fs.readFile(file, 'utf8');
  const algorithm = options.algorithm ?? 'RS256';
  if (algorithm !== 'RS1' && algorithm !== 'RS256') {
    process.stderr.write(`signing-companion: --algorithm must be RS1 or RS256, not "${algorithm}".\n`);
    return 2;
  }
  const prescription = parsePrescription(formatOf(content), content);
  const prepared = prepare(prescription, {
    algorithm: algorithm,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  process.stdout.write(`${JSON.stringify(asParameters(prepared), null, 2)}\n`);
  return 0;
}

export function formatOf(content: string): 'fhir-bundle' | 'hl7v3' {
  return content.trimStart().startsWith('<') ? 'hl7v3' : 'fhir-bundle';
}
