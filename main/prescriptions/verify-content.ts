import { PrescriptionBundle } from './fhir/bundle.js';
import { findParentPrescription } from './hl7/parent-prescription.js';
import { prescriptionFromBundle, prescriptionFromParentPrescription, type PrescriptionFormat } from './prescription.js';
import { signatureFromBundle, signatureFromParentPrescription, verifySignature, type Verdict } from './signature/verify.js';
import { parseXml } from './xml/safe-xml.js';

/** Reads a signed prescription once and verifies its signature against that same reading. */
export function verifyContent(format: PrescriptionFormat, content: string): Verdict {
  if (format === 'fhir-bundle') {
    const bundle = PrescriptionBundle.parse(content);
    return verifySignature(prescriptionFromBundle(bundle), signatureFromBundle(bundle));
  }
  const parentPrescription = findParentPrescription(parseXml(content));
  return verifySignature(prescriptionFromParentPrescription(parentPrescription), signatureFromParentPrescription(parentPrescription));
}
