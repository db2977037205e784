import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The 6-digit code the clinician compares: both the companion and the calling application derive it from
 * the nonce of their connection's `companion.hello`, so neither has to send it. Rule: the first four bytes
 * of SHA-256(UTF-8 nonce), as a big-endian unsigned integer, modulo 1,000,000, zero-padded to six digits.
 */
export function pairingCode(nonce: string): string {
  const digest = createHash('sha256').update(nonce, 'utf8').digest();
  return String(digest.readUInt32BE(0) % 1_000_000).padStart(6, '0');
}

/** A paired application's proof on a connection: base64 HMAC-SHA256(key: clientSecret, data: nonce). */
export function expectedProof(clientSecret: string, nonce: string): string {
  return createHmac('sha256', Buffer.from(clientSecret, 'base64')).update(nonce, 'utf8').digest('base64');
}

export function proofMatches(clientSecret: string, nonce: string, proof: string): boolean {
  const expected = Buffer.from(expectedProof(clientSecret, nonce));
  const given = Buffer.from(proof);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
