import { InvalidContentError } from '../prescriptions/content-error.js';
import { compareDigest } from '../prescriptions/digest-check.js';
import { display, parsePrescription, prepare, type Prepared } from '../prescriptions/prescription.js';
import type { DisplayModel } from '../prescriptions/display/display-model.js';
import type { SignatureAlgorithm } from '../prescriptions/signature/signed-info.js';
import type { SignItemResult, SignRequest } from './sign-request.js';

export interface ReadyItem {
  id: string;
  /** What signing needs; the canonical fragments stay behind (they are large, and only the digest is signed). */
  prepared: Omit<Prepared, 'fragments'>;
  display: DisplayModel;
}

/**
 * Reads every prescription of a request once, and computes its SignedInfo from the same reading that
 * the clinician will be shown. An item whose content cannot be read, or whose caller-supplied digest
 * disagrees with the content, is refused on its own: the rest of the batch can still be signed.
 */
export function prepareItems(request: SignRequest, now: () => Date): { ready: ReadyItem[]; refused: SignItemResult[] } {
  const ready: ReadyItem[] = [];
  const refused: SignItemResult[] = [];
  for (const item of request.prescriptions) {
    try {
      const prescription = parsePrescription(item.format, item.content);
      const algorithm: SignatureAlgorithm = item.prepared?.algorithm ?? request.algorithm ?? 'RS256';
      const prepared = prepare(prescription, {
        algorithm,
        // A Bundle is timed when it is read for signing, unless EPS already timed it in $prepare.
        timestamp: item.prepared?.timestamp ?? (prescription.fixedAuthorTime === null ? now().toISOString() : undefined),
      });
      if (item.prepared) {
        const comparison = compareDigest(prepared, item.prepared.digest);
        if (!comparison.matches) {
          refused.push(failed(item.id, 'DIGEST_MISMATCH', `Not signed: ${comparison.message}`));
          continue;
        }
      }
      const { digest, signedInfo, timestamp, algorithm: signedWith } = prepared;
      ready.push({ id: item.id, prepared: { digest, signedInfo, timestamp, algorithm: signedWith }, display: display(prescription) });
    } catch (err) {
      if (err instanceof InvalidContentError) {
        refused.push(failed(item.id, 'INVALID_CONTENT', `Not signed: ${err.message}.`));
      } else {
        throw err;
      }
    }
  }
  return { ready, refused };
}

export function failed(id: string, code: string, message: string, status: 'failed' | 'declined' = 'failed'): SignItemResult {
  return { id, status, timestamp: null, signedInfo: null, signature: null, certificate: null, error: { code, message } };
}
