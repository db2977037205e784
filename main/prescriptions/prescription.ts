import { InvalidContentError } from './content-error.js';
import { PrescriptionBundle } from './fhir/bundle.js';
import { hl7Time, isoFromHl7, signedPartsFromBundle } from './fhir/translate-prescription.js';
import { findParentPrescription, signedParts, type SignedParts } from './hl7/parent-prescription.js';
import {
  canonicalFragments,
  fragmentsToBeHashed,
  signedInfoFor,
  type CanonicalFragments,
  type SignatureAlgorithm,
} from './signature/signed-info.js';
import { parseXml } from './xml/safe-xml.js';
import { element, type XmlElement } from './xml/xml-tree.js';
import { buildDisplayModel, type DisplayModel, type UnsignedFacts } from './display/display-model.js';
import { unsignedFactsFromBundle, unsignedFactsFromParentPrescription } from './display/unsigned-facts.js';

export type PrescriptionFormat = 'fhir-bundle' | 'hl7v3';

/**
 * A prescription read once, from which everything else is derived: what the clinician is shown and the
 * exact bytes EPS expects to be signed. Nothing downstream re-reads the original content.
 */
export interface Prescription {
  format: PrescriptionFormat;
  /** The signed parts, with the author time still to be set for a Bundle (it is the signing time). */
  parts: (authorTime: string) => SignedParts;
  /** The author time an HL7 V3 message already carries; a Bundle has none until it is prepared. */
  fixedAuthorTime: string | null;
  /** Facts shown to the clinician that EPS does not sign, from the same reading of the content. */
  unsigned: UnsignedFacts;
}

/** What the clinician is shown, built from the same parts that are signed. */
export function display(prescription: Prescription): DisplayModel {
  return buildDisplayModel(prescription.parts(prescription.fixedAuthorTime ?? '00000000000000'), prescription.unsigned);
}

export interface Prepared {
  /** base64 of the canonical SignedInfo: the same form as EPS `$prepare`'s `digest`. */
  digest: string;
  /** The SignedInfo bytes a signer signs. */
  signedInfo: string;
  /** ISO 8601 signing time, as EPS returns it (`+00:00`). */
  timestamp: string;
  algorithm: SignatureAlgorithm;
  fragments: CanonicalFragments;
}

export function parsePrescription(format: string, content: string): Prescription {
  switch (format) {
    case 'fhir-bundle':
      return prescriptionFromBundle(PrescriptionBundle.parse(content));
    case 'hl7v3':
      return prescriptionFromParentPrescription(findParentPrescription(parseXml(content)));
    default:
      throw new InvalidContentError('format', `Unknown prescription format "${format}"; expected "fhir-bundle" or "hl7v3"`);
  }
}

export function prescriptionFromBundle(bundle: PrescriptionBundle): Prescription {
  // Translated once, when the prescription is read: content errors surface now, not at signing, and the
  // signing time (the only part that changes) is set per prepare.
  const parts = signedPartsFromBundle(bundle, '00000000000000');
  return {
    format: 'fhir-bundle',
    parts: (authorTime) => ({ ...parts, time: element('time', { value: authorTime }) }),
    fixedAuthorTime: null,
    unsigned: unsignedFactsFromBundle(bundle),
  };
}

export function prescriptionFromParentPrescription(parentPrescription: XmlElement): Prescription {
  const parts = signedParts(parentPrescription);
  const time = parts.time.attributes.value;
  if (!time || !/^\d{14}$/.test(time)) {
    throw new InvalidContentError('/ParentPrescription/pertinentInformation1/pertinentPrescription/author/time', 'The signing time is missing or malformed');
  }
  return { format: 'hl7v3', parts: () => parts, fixedAuthorTime: time, unsigned: unsignedFactsFromParentPrescription(parentPrescription) };
}

/**
 * Computes what EPS `$prepare` returns. For a Bundle, `timestamp` becomes `author/time` (default: now, as
 * EPS does); an HL7 V3 message keeps its own, and a different `timestamp` is refused.
 */
export function prepare(prescription: Prescription, options: { timestamp?: string; algorithm?: SignatureAlgorithm } = {}): Prepared {
  const algorithm = options.algorithm ?? 'RS256';
  let authorTime: string;
  let timestamp: string;
  if (prescription.fixedAuthorTime !== null) {
    authorTime = prescription.fixedAuthorTime;
    timestamp = isoFromHl7(authorTime);
    if (options.timestamp !== undefined && hl7Time(options.timestamp) !== authorTime) {
      throw new InvalidContentError('timestamp', `The message is already timed ${timestamp}; a different timestamp cannot be used`);
    }
  } else {
    timestamp = isoSeconds(options.timestamp ?? new Date().toISOString());
    authorTime = hl7Time(timestamp);
  }
  const fragments = canonicalFragments(prescription.parts(authorTime));
  const signedInfo = signedInfoFor(fragmentsToBeHashed(fragments), algorithm);
  return { digest: Buffer.from(signedInfo, 'utf8').toString('base64'), signedInfo, timestamp, algorithm, fragments };
}

/** FHIR `Parameters`, the same form as EPS's `$prepare` response. */
export function asParameters(prepared: Prepared): unknown {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'digest', valueString: prepared.digest },
      { name: 'timestamp', valueString: prepared.timestamp },
      { name: 'algorithm', valueString: prepared.algorithm },
    ],
  };
}

function isoSeconds(iso: string): string {
  hl7Time(iso);
  const date = new Date(iso);
  return `${date.toISOString().slice(0, 19)}+00:00`;
}


