/**
 * Why signing stopped, with a message a supplier can show and a clinician can act on. The pipe maps each
 * code to its JSON-RPC error (docs/protocol.md lists them); the window shows the message.
 */
export type SigningErrorCode =
  | 'NOT_SIGNED_IN'
  | 'SIGN_IN_UNAVAILABLE'
  | 'SIGNER_UNAVAILABLE'
  | 'CARD_ABSENT'
  | 'CARD_REMOVED'
  | 'CARD_USER_MISMATCH'
  | 'CARD_ERROR'
  | 'NO_CERTIFICATE'
  | 'PIN_LOCKED'
  | 'PIN_INCORRECT'
  | 'SIGNATURE_INVALID'
  | 'DECLINED'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'BUSY'
  | 'DIGEST_MISMATCH'
  | 'INVALID_CONTENT';

export class SigningError extends Error {
  public readonly code: SigningErrorCode;

  constructor(code: SigningErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SigningError';
    this.code = code;
  }
}
