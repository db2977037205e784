import { CardError, type CardErrorCode } from './card-token.js';

/** The CKR_ names the signer acts on; every other one is CARD_FAILED and keeps its name for the log. */
const CODES: ReadonlyMap<string, CardErrorCode> = new Map<string, CardErrorCode>([
  ['CKR_TOKEN_NOT_PRESENT', 'CARD_REMOVED'],
  ['CKR_DEVICE_REMOVED', 'CARD_REMOVED'],
  ['CKR_TOKEN_NOT_RECOGNIZED', 'CARD_REMOVED'],
  // A slot id we listed moments ago goes invalid when a reader is unplugged with the card in it.
  ['CKR_SLOT_ID_INVALID', 'CARD_REMOVED'],
  ['CKR_PIN_INCORRECT', 'PIN_INCORRECT'],
  ['CKR_PIN_LOCKED', 'PIN_LOCKED'],
  ['CKR_PIN_LEN_RANGE', 'PIN_INVALID'],
  ['CKR_PIN_INVALID', 'PIN_INVALID'],
  ['CKR_DEVICE_ERROR', 'DEVICE_ERROR'],
  ['CKR_DEVICE_MEMORY', 'DEVICE_ERROR'],
  ['CKR_GENERAL_ERROR', 'DEVICE_ERROR'],
  ['CKR_FUNCTION_FAILED', 'DEVICE_ERROR'],
  ['CKR_SESSION_HANDLE_INVALID', 'SESSION_INVALID'],
  ['CKR_SESSION_CLOSED', 'SESSION_INVALID'],
  ['CKR_FUNCTION_CANCELED', 'CANCELLED'],
]);

/**
 * The CKR_ name of a pkcs11js `Pkcs11Error` (its message is the bare name), or null for anything else:
 * pkcs11js also throws `NativeError` (library not loadable) and `TypeError` (bad arguments), which carry no
 * return value.
 */
export function ckrName(error: unknown): string | null {
  if (error instanceof Error && error.name === 'Pkcs11Error' && /^CKR_\w+$/.test(error.message)) {
    return error.message;
  }
  return null;
}

/** The card error for `CKR_` name `ckr`. */
export function cardErrorCode(ckr: string): CardErrorCode {
  return CODES.get(ckr) ?? 'CARD_FAILED';
}

/**
 * Turns whatever pkcs11js threw into a `CardError`. The message names the PKCS#11 function that failed, as
 * pkcs11js reports it, else `operation`, and then the CKR_ name, with the number when the name alone does
 * not say which (vendor-defined values).
 */
export function toCardError(error: unknown, operation: string): CardError {
  if (error instanceof CardError) {
    return error;
  }
  const ckr = ckrName(error);
  // pkcs11js's Pkcs11Error and NativeError add these to Error.
  const { method, code } = error instanceof Error ? (error as Error & { method?: unknown; code?: unknown }) : {};
  const where = typeof method === 'string' && method !== '' ? method : operation;
  if (ckr !== null) {
    const number = ckr === 'CKR_VENDOR_DEFINED' && typeof code === 'number' ? ` (0x${code.toString(16)})` : '';
    return new CardError(cardErrorCode(ckr), `${where} failed: ${ckr}${number}`, { ckr, cause: error });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new CardError('CARD_FAILED', `${where} failed: ${detail}`, { cause: error });
}
