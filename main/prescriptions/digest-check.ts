import type { Prepared } from './prescription.js';

export type DigestComparison =
  | { matches: true }
  | { matches: false; difference: 'not-signed-info' | 'signed-info-form' | 'content'; message: string };

/**
 * Compares a caller's `$prepare` digest with the companion's own for the content it shows.
 *
 * A digest is a hash, so when the content differs it cannot say which fragment; what it can say is
 * whether the caller's value is a SignedInfo at all, whether its form (algorithm, methods) differs, or
 * whether the hashed prescription content differs, which is what matters: the clinician would be shown
 * something other than what is signed.
 */
export function compareDigest(ours: Prepared, theirs: string): DigestComparison {
  if (theirs === ours.digest) {
    return { matches: true };
  }
  const decoded = Buffer.from(theirs, 'base64').toString('utf8');
  const digestValue = /<DigestValue>([^<]*)<\/DigestValue>/;
  const theirValue = digestValue.exec(decoded)?.[1];
  const ourValue = digestValue.exec(ours.signedInfo)?.[1];
  if (!decoded.startsWith('<SignedInfo') || theirValue === undefined) {
    return { matches: false, difference: 'not-signed-info', message: 'The digest sent is not a base64 SignedInfo as EPS $prepare returns.' };
  }
  if (theirValue === ourValue) {
    return {
      matches: false,
      difference: 'signed-info-form',
      message: `The prescription content matches, but the SignedInfo differs in form (expected the ${ours.algorithm} methods).`,
    };
  }
  return {
    matches: false,
    difference: 'content',
    message: `The digest sent was computed over different prescription content from the content shown (DigestValue ${theirValue}, shown ${ourValue}).`,
  };
}
