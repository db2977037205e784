import type { CardErrorCode, CardMechanism, TokenInfo } from './card-token.js';

/**
 * The messages between a `Pkcs11Module` (main thread) and the worker thread that owns its library
 * (pkcs11-worker.ts). Types only: both sides import them, so a change to one side that the other does not
 * follow fails to compile.
 *
 * Binary values travel as exact-size `Uint8Array`s: structured cloning turns a Buffer into a Uint8Array
 * anyway, and a Buffer cut from Node's shared pool would carry the whole 8 KiB slab (other data, perhaps
 * a PIN) along with its own bytes.
 */

/** Session handles stay in the worker; the main thread knows a session by this number. */
export type SessionId = number;

export type Pkcs11Call =
  /** Load and C_Initialize the library at `path` (already a real path); `name` is what messages show. */
  | { op: 'load'; path: string; name: string }
  | { op: 'tokens' }
  | { op: 'tokenInfo'; slotId: string }
  | { op: 'openSession'; slotId: string }
  | { op: 'certificates'; session: SessionId }
  | { op: 'hasPrivateKey'; session: SessionId; keyId: Uint8Array }
  /** `pin` is the worker's to clear once C_Login has it. */
  | { op: 'login'; session: SessionId; pin: Uint8Array | null }
  | { op: 'sign'; session: SessionId; mechanism: CardMechanism; keyId: Uint8Array; data: Uint8Array }
  /**
   * Signs `items` in order, answering each with a `Pkcs11Item`, and stops at the first failure or when
   * the main thread sets `cancel[0]` (read between items, so no message has to get past the batch).
   */
  | {
      op: 'signMany';
      session: SessionId;
      mechanism: CardMechanism;
      keyId: Uint8Array;
      items: Uint8Array[];
      cancel: SharedArrayBuffer;
    }
  | { op: 'logout'; session: SessionId }
  | { op: 'closeSession'; session: SessionId }
  /** One look for a slot change (never the blocking C_WaitForSlotEvent), or a token list comparison. */
  | { op: 'checkForChange' }
  /** C_Finalize (when ours to call) and unload; the main thread then terminates the worker. */
  | { op: 'finalize' };

export type Pkcs11Op = Pkcs11Call['op'];

/** A call in an envelope, so that no field of a call can be mistaken for the request's id. */
export interface Pkcs11Request {
  id: number;
  call: Pkcs11Call;
}

export interface WireCertificate {
  id: Uint8Array;
  label: string;
  der: Uint8Array;
}

/** What each call answers with when it succeeds. */
export interface Pkcs11Results {
  load: { slotEvents: boolean };
  tokens: TokenInfo[];
  tokenInfo: TokenInfo;
  openSession: SessionId;
  certificates: WireCertificate[];
  hasPrivateKey: boolean;
  login: null;
  sign: Uint8Array;
  signMany: null;
  logout: null;
  closeSession: null;
  checkForChange: { changed: boolean; slotEvents: boolean };
  finalize: null;
}

/**
 * A `CardError` as data (class instances do not survive structured cloning). `cause` keeps what the
 * library threw, for the log.
 */
export interface WireError {
  code: CardErrorCode;
  message: string;
  ckr: string | null;
  cause?: { name: string; message: string };
}

export type Pkcs11Reply =
  | { id: number; kind: 'done'; result: Pkcs11Results[Pkcs11Op] }
  | { id: number; kind: 'failed'; error: WireError }
  /** One item of a `signMany`, ahead of its `done`. */
  | Pkcs11Item;

export type Pkcs11Item =
  | { id: number; kind: 'item'; index: number; signature: Uint8Array }
  | { id: number; kind: 'item'; index: number; error: WireError };
