/**
 * The smartcard as the signing code sees it: a small interface over one PKCS#11 library.
 *
 * Two things implement it: `Pkcs11Module` (a real PKCS#11 library through pkcs11js, such as the NHS card
 * middleware or SoftHSM2) and the sandbox's software test card. The card signer (certificate choice,
 * passcode handling, verification) is written once against this interface, so the sandbox exercises the
 * same path a real card takes.
 *
 * Every method may throw `CardError`; nothing else escapes an implementation.
 */

export type CardErrorCode =
  /** The library could not be loaded or initialised (the message names it). */
  | 'MODULE_FAILED'
  /** No token in the slot, or the token went away (`CKR_TOKEN_NOT_PRESENT`, `CKR_DEVICE_REMOVED`). */
  | 'CARD_REMOVED'
  /** `CKR_PIN_INCORRECT`. */
  | 'PIN_INCORRECT'
  /** `CKR_PIN_LOCKED`. */
  | 'PIN_LOCKED'
  /** `CKR_PIN_LEN_RANGE`, `CKR_PIN_INVALID`. */
  | 'PIN_INVALID'
  /** `CKR_DEVICE_ERROR`, `CKR_DEVICE_MEMORY`, `CKR_GENERAL_ERROR`, `CKR_FUNCTION_FAILED`. */
  | 'DEVICE_ERROR'
  /** `CKR_SESSION_HANDLE_INVALID`, `CKR_SESSION_CLOSED`: the session must be opened again. */
  | 'SESSION_INVALID'
  /** The PIN pad was cancelled or timed out (`CKR_FUNCTION_CANCELED`). */
  | 'CANCELLED'
  /** Anything else the library returned; the message carries the CKR_ name. */
  | 'CARD_FAILED';

export class CardError extends Error {
  public readonly code: CardErrorCode;
  /** The PKCS#11 return value's name (`CKR_DEVICE_ERROR`), when there was one. */
  public readonly ckr: string | null;

  constructor(code: CardErrorCode, message: string, options?: { ckr?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CardError';
    this.code = code;
    this.ckr = options?.ckr ?? null;
  }
}

/** The token flags the passcode screen depends on (CK_TOKEN_INFO.flags). */
export interface TokenFlags {
  /** CKF_USER_PIN_COUNT_LOW: a wrong passcode has been entered since the last good one. */
  pinCountLow: boolean;
  /** CKF_USER_PIN_FINAL_TRY: one more wrong passcode locks the card. */
  pinFinalTry: boolean;
  /** CKF_USER_PIN_LOCKED. */
  pinLocked: boolean;
  /** CKF_PROTECTED_AUTHENTICATION_PATH: the reader has a PIN pad; log in with no PIN. */
  protectedAuthenticationPath: boolean;
}

export interface TokenInfo {
  /** The slot id, as a decimal string (PKCS#11 slot ids are 64-bit). */
  slotId: string;
  label: string;
  serialNumber: string;
  manufacturer: string;
  flags: TokenFlags;
  /** The passcode lengths the card accepts (ulMinPinLen, ulMaxPinLen), in bytes. */
  pinLength: { min: number; max: number };
}

export interface TokenCertificate {
  /** CKA_ID: the same value identifies the certificate's private key. */
  id: Buffer;
  label: string;
  /** CKA_VALUE: the DER certificate. */
  der: Buffer;
}

export type CardMechanism = 'RS256' | 'RS1';

/** An open session with one token. Closing it logs out first if it was logged in. */
export interface CardSession {
  certificates(): Promise<TokenCertificate[]>;
  /** Whether a private key with this CKA_ID is on the token (needs no login on NHS cards or SoftHSM). */
  hasPrivateKey(id: Buffer): Promise<boolean>;
  /**
   * C_Login as the user. `pin` null logs in through the reader's PIN pad. The implementation does not keep
   * `pin`; the caller clears it.
   */
  login(pin: Buffer | null): Promise<void>;
  /** CKM_SHA256_RSA_PKCS (RS256) or CKM_SHA1_RSA_PKCS (RS1) with the private key of this CKA_ID. */
  sign(mechanism: CardMechanism, keyId: Buffer, data: Buffer): Promise<Buffer>;
  /**
   * Optional: `sign` over several items in one request, for throughput (the card goes from one signature
   * to the next without waiting on the caller). `onEach` is called in item order, once per signature made,
   * and once with the CardError that stopped the batch, if one did (later items are not attempted). After
   * `signal` aborts or `onEach` throws, nothing more is reported and the card stops after its current
   * signature. Resolves when the card has stopped working on the batch; rejects if the batch could not
   * start (items not reported were not signed) or with what `onEach` threw.
   */
  signMany?(
    mechanism: CardMechanism,
    keyId: Buffer,
    items: readonly Buffer[],
    onEach: (index: number, outcome: Buffer | CardError) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  logout(): Promise<void>;
  close(): Promise<void>;
}

/** One PKCS#11 library (or the software test card). */
export interface CardModule {
  /** What an admin would recognise: the library path, or "Sandbox test card". */
  readonly name: string;
  /** Tokens present now, with fresh flags. */
  tokens(): Promise<TokenInfo[]>;
  /** One token's info, read again (flags change after a login attempt). */
  tokenInfo(slotId: string): Promise<TokenInfo>;
  openSession(slotId: string): Promise<CardSession>;
  /**
   * Resolves when a slot changes (card inserted or removed), or after `timeoutMs`, whichever comes first.
   * Implementations without C_WaitForSlotEvent poll slowly.
   */
  waitForChange(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}
