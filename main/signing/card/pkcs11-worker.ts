import os from 'node:os';
import { parentPort, type MessagePort } from 'node:worker_threads';
// pkcs11js is CommonJS whose exports are built at run time (`{ ...native, PKCS11 }`), so Node's ESM loader
// finds no named exports: take the whole module object as the default import.
import pkcs11js, { type PKCS11, type Template, type TokenInfo as Pkcs11TokenInfo } from 'pkcs11js';
import { CardError, type CardMechanism, type TokenInfo } from './card-token.js';
import { ckrName, toCardError } from './pkcs11-errors.js';
import type {
  Pkcs11Call,
  Pkcs11Item,
  Pkcs11Op,
  Pkcs11Reply,
  Pkcs11Request,
  Pkcs11Results,
  SessionId,
  WireCertificate,
  WireError,
} from './pkcs11-protocol.js';

/**
 * The worker thread that owns one PKCS#11 library for a `Pkcs11Module` (pkcs11-module.ts), and the only
 * place its pkcs11js calls are made.
 *
 * Every call here is pkcs11js's synchronous form. Blocking this thread is the point: a PIN pad keeps
 * C_Login waiting for as long as the clinician types, and C_Sign takes a card's second of RSA, while the
 * main thread goes on answering everybody else. Requests are handled one at a time, each to its end, in
 * the order they were posted: that is the library's queue (a card does one thing at a time anyway).
 */

const MECHANISMS: Readonly<Record<CardMechanism, number>> = {
  RS256: pkcs11js.CKM_SHA256_RSA_PKCS,
  RS1: pkcs11js.CKM_SHA1_RSA_PKCS,
};

/** Room for an RSA-4096 signature, so C_Sign never needs a length query first. */
const SIGNATURE_BYTES = 512;

/** CK_SLOT_ID is a C unsigned long: 4 bytes on Windows (LLP64), 8 elsewhere. pkcs11js passes its raw bytes. */
const SLOT_ID_BYTES = process.platform === 'win32' ? 4 : 8;

/** Errors that mean a session is already gone, which is what closing it wants anyway. */
const GONE = new Set([
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
]);

/** The PKCS#11 function an error is named after when pkcs11js does not say. */
const OPERATIONS: Readonly<Record<Pkcs11Op, string>> = {
  load: 'C_Initialize',
  tokens: 'C_GetSlotList',
  tokenInfo: 'C_GetTokenInfo',
  openSession: 'C_OpenSession',
  certificates: 'C_FindObjects',
  hasPrivateKey: 'C_FindObjects',
  login: 'C_Login',
  sign: 'C_Sign',
  signMany: 'C_Sign',
  logout: 'C_Logout',
  closeSession: 'C_CloseSession',
  checkForChange: 'C_WaitForSlotEvent',
  finalize: 'C_Finalize',
};

interface Session {
  handle: Buffer;
  loggedIn: boolean;
  /** An object handle stays valid for the session, and a search costs more than a signature on some tokens. */
  signingKeys: Map<string, Buffer>;
}

class Library {
  private library: PKCS11 | null = null;
  private name = '';
  private finalizeOnClose = true;
  /** Cleared when the library says it has no C_WaitForSlotEvent; then token lists are compared instead. */
  private slotEvents = true;
  /** Slot ids and serial numbers as last seen, so a change between tokens() and waitForChange() counts. */
  private lastSeen: string | null = null;
  private readonly sessions = new Map<SessionId, Session>();
  private nextSession = 1;

  constructor(private readonly port: MessagePort) {}

  public handle({ id, call }: Pkcs11Request): void {
    try {
      const result = this.run(id, call);
      const reply: Pkcs11Reply = { id, kind: 'done', result };
      this.port.postMessage(reply, result instanceof Uint8Array ? [result.buffer as ArrayBuffer] : []);
    } catch (error) {
      const reply: Pkcs11Reply = { id, kind: 'failed', error: wireError(error, OPERATIONS[call.op]) };
      this.port.postMessage(reply);
    }
  }

  private run(id: number, request: Pkcs11Call): Pkcs11Results[Pkcs11Op] {
    if (request.op === 'load') {
      return this.load(request.path, request.name);
    }
    const library = this.library;
    if (library === null) {
      if (request.op === 'finalize' || request.op === 'closeSession') {
        return null;
      }
      throw new CardError('MODULE_FAILED', `The PKCS#11 library ${this.name} has been closed.`);
    }
    switch (request.op) {
      case 'tokens': {
        const tokens = readTokens(library);
        this.lastSeen = fingerprint(tokens);
        return tokens;
      }
      case 'tokenInfo': {
        const slot = slotHandle(request.slotId);
        return tokenInfoOf(slotIdOf(slot), library.C_GetTokenInfo(slot));
      }
      case 'openSession': {
        // Without CKF_SERIAL_SESSION the call fails (CKR_SESSION_PARALLEL_NOT_SUPPORTED): the flag is mandatory.
        const handle = library.C_OpenSession(slotHandle(request.slotId), pkcs11js.CKF_SERIAL_SESSION);
        const session = this.nextSession++;
        this.sessions.set(session, { handle, loggedIn: false, signingKeys: new Map() });
        return session;
      }
      case 'certificates':
        return this.certificates(library, this.session(request.session));
      case 'hasPrivateKey':
        return findPrivateKey(library, this.session(request.session), request.keyId) !== null;
      case 'login':
        return this.login(library, this.session(request.session), request.pin);
      case 'sign':
        return sign(library, this.session(request.session), request.mechanism, request.keyId, request.data);
      case 'signMany':
        return this.signMany(library, id, request);
      case 'logout':
        return logout(library, this.session(request.session));
      case 'closeSession':
        return this.closeSession(library, request.session);
      case 'checkForChange':
        return { changed: this.checkForChange(library), slotEvents: this.slotEvents };
      case 'finalize':
        return this.finalize(library);
    }
  }

  private load(path: string, name: string): Pkcs11Results['load'] {
    this.name = name;
    const library = new pkcs11js.PKCS11();
    try {
      library.load(path);
    } catch (error) {
      throw new CardError('MODULE_FAILED', `The PKCS#11 library ${name} could not be loaded: ${messageOf(error)}`, {
        cause: error,
      });
    }
    try {
      initialize(library);
    } catch (error) {
      // Something else in this process initialised it outside the module registry; it is usable, but not
      // ours to finalize.
      if (ckrName(error) === 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
        this.finalizeOnClose = false;
      } else {
        library.close();
        const ckr = ckrName(error);
        throw new CardError('MODULE_FAILED', `The PKCS#11 library ${name} failed to start: ${messageOf(error)}`, {
          cause: error,
          ...(ckr === null ? {} : { ckr }),
        });
      }
    }
    this.library = library;
    this.drainSlotEvents(library);
    return { slotEvents: this.slotEvents };
  }

  private session(id: SessionId): Session {
    const session = this.sessions.get(id);
    if (session === undefined) {
      throw new CardError('SESSION_INVALID', 'The card session has been closed.');
    }
    return session;
  }

  private certificates(library: PKCS11, session: Session): Pkcs11Results['certificates'] {
    const objects = find(library, session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
      { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
    ]);
    const certificates: WireCertificate[] = [];
    for (const object of objects) {
      const der = attribute(library, session, object, pkcs11js.CKA_VALUE);
      if (der === null || der.length === 0) {
        continue;
      }
      certificates.push({
        id: exact(attribute(library, session, object, pkcs11js.CKA_ID) ?? new Uint8Array(0)),
        label: (attribute(library, session, object, pkcs11js.CKA_LABEL) ?? Buffer.alloc(0)).toString('utf8'),
        der: exact(der),
      });
    }
    return certificates;
  }

  /**
   * pkcs11js takes the PIN as a string, so it is decoded here, at the last moment, and the string dropped
   * at once; the bytes, this thread's own copy, are cleared. For a PIN pad (`pin` null) pkcs11js cannot pass
   * a NULL pointer: the library gets an empty PIN, which PIN pad middleware treats the same way.
   */
  private login(library: PKCS11, session: Session, pin: Uint8Array | null): null {
    try {
      library.C_Login(session.handle, pkcs11js.CKU_USER, pin === null ? '' : view(pin).toString('utf8'));
    } catch (error) {
      // Login is per token, not per session: another session of ours may have logged in already.
      if (ckrName(error) !== 'CKR_USER_ALREADY_LOGGED_IN') {
        throw error;
      }
    } finally {
      pin?.fill(0);
    }
    session.loggedIn = true;
    return null;
  }

  private signMany(library: PKCS11, id: number, request: Extract<Pkcs11Call, { op: 'signMany' }>): null {
    const session = this.session(request.session);
    const cancel = new Int32Array(request.cancel);
    for (const [index, data] of request.items.entries()) {
      if (Atomics.load(cancel, 0) !== 0) {
        break;
      }
      let item: Pkcs11Item;
      try {
        item = { id, kind: 'item', index, signature: sign(library, session, request.mechanism, request.keyId, data) };
      } catch (error) {
        item = { id, kind: 'item', index, error: wireError(error, 'C_Sign') };
      }
      this.port.postMessage(item, 'signature' in item ? [item.signature.buffer as ArrayBuffer] : []);
      if ('error' in item) {
        // A card in doubt signs nothing more: the caller decides what to retry.
        break;
      }
    }
    return null;
  }

  /**
   * Logs out first if this session logged in, even though that ends the login for every session of the
   * token: a card must not stay unlocked after the signing that needed it. A session the card already
   * dropped (removed, reset) closes quietly.
   */
  private closeSession(library: PKCS11, id: SessionId): null {
    const session = this.sessions.get(id);
    if (session === undefined) {
      return null;
    }
    this.sessions.delete(id);
    let logoutError: CardError | null = null;
    if (session.loggedIn) {
      session.loggedIn = false;
      try {
        library.C_Logout(session.handle);
      } catch (error) {
        const ckr = ckrName(error);
        if (ckr !== 'CKR_USER_NOT_LOGGED_IN' && (ckr === null || !GONE.has(ckr))) {
          logoutError = toCardError(error, 'C_Logout');
        }
      }
    }
    try {
      library.C_CloseSession(session.handle);
    } catch (error) {
      const ckr = ckrName(error);
      if (ckr === null || !GONE.has(ckr)) {
        throw error;
      }
    }
    if (logoutError !== null) {
      throw logoutError;
    }
    return null;
  }

  private checkForChange(library: PKCS11): boolean {
    if (this.slotEvents) {
      try {
        // Never the blocking form: it would hold this thread, and with it every call queued behind it,
        // until a card moved; only C_Finalize can end it.
        return library.C_WaitForSlotEvent(pkcs11js.CKF_DONT_BLOCK) !== null;
      } catch (error) {
        if (ckrName(error) !== 'CKR_FUNCTION_NOT_SUPPORTED') {
          throw error;
        }
        this.slotEvents = false;
      }
    }
    const before = this.lastSeen;
    this.lastSeen = fingerprint(readTokens(library));
    return before !== null && before !== this.lastSeen;
  }

  /** Some libraries report every reader as an "insertion" at start-up; those are not changes. */
  private drainSlotEvents(library: PKCS11): void {
    try {
      for (let i = 0; i < 16 && library.C_WaitForSlotEvent(pkcs11js.CKF_DONT_BLOCK) !== null; i++) {
        // Discard.
      }
    } catch (error) {
      if (ckrName(error) === 'CKR_FUNCTION_NOT_SUPPORTED') {
        this.slotEvents = false;
      }
    }
  }

  private finalize(library: PKCS11): null {
    this.library = null;
    this.sessions.clear();
    try {
      if (this.finalizeOnClose) {
        library.C_Finalize();
      }
    } catch {
      // The library is being dropped either way; a failing C_Finalize leaves nothing to do differently.
    } finally {
      library.close();
    }
    return null;
  }
}

function sign(library: PKCS11, session: Session, mechanism: CardMechanism, keyId: Uint8Array, data: Uint8Array): Uint8Array {
  const cacheKey = view(keyId).toString('hex');
  const key = session.signingKeys.get(cacheKey) ?? findPrivateKey(library, session, keyId);
  if (key === null) {
    throw new CardError('CARD_FAILED', `The card has no private key with CKA_ID ${cacheKey}.`);
  }
  session.signingKeys.set(cacheKey, key);
  library.C_SignInit(session.handle, { mechanism: MECHANISMS[mechanism] }, key);
  return exact(library.C_Sign(session.handle, view(data), Buffer.alloc(SIGNATURE_BYTES)));
}

function logout(library: PKCS11, session: Session): null {
  session.loggedIn = false;
  // Private objects' handles do not outlive the login.
  session.signingKeys.clear();
  try {
    library.C_Logout(session.handle);
  } catch (error) {
    if (ckrName(error) !== 'CKR_USER_NOT_LOGGED_IN') {
      throw error;
    }
  }
  return null;
}

function findPrivateKey(library: PKCS11, session: Session, id: Uint8Array): Buffer | null {
  const [key] = find(library, session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    { type: pkcs11js.CKA_ID, value: view(id) },
  ]);
  return key ?? null;
}

function find(library: PKCS11, session: Session, template: Template): Buffer[] {
  library.C_FindObjectsInit(session.handle, template);
  const found: Buffer[] = [];
  try {
    for (;;) {
      const batch = library.C_FindObjects(session.handle, 16);
      if (batch.length === 0) {
        break;
      }
      found.push(...batch);
    }
  } finally {
    // A search left open makes the session refuse the next one (CKR_OPERATION_ACTIVE).
    try {
      library.C_FindObjectsFinal(session.handle);
    } catch {
      // Only reached with an error already on its way out, which says more.
    }
  }
  return found;
}

/** One attribute, or null if the object has none (a certificate without CKA_ID, for one). */
function attribute(library: PKCS11, session: Session, object: Buffer, type: number): Buffer | null {
  try {
    const [result] = library.C_GetAttributeValue(session.handle, object, [{ type }]);
    return result ? Buffer.from(result.value) : null;
  } catch (error) {
    if (ckrName(error) === 'CKR_ATTRIBUTE_TYPE_INVALID') {
      return null;
    }
    throw error;
  }
}

function initialize(library: PKCS11): void {
  try {
    // Asks for locking although only this thread calls in: it is how the library was always started here,
    // and middleware with threads of its own (reader monitoring) may rely on it.
    library.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (ckrName(error) !== 'CKR_CANT_LOCK') {
      throw error;
    }
    library.C_Initialize();
  }
}

function readTokens(library: PKCS11): TokenInfo[] {
  const tokens: TokenInfo[] = [];
  for (const slot of library.C_GetSlotList(true)) {
    let info: Pkcs11TokenInfo;
    try {
      info = library.C_GetTokenInfo(slot);
    } catch (error) {
      const ckr = ckrName(error);
      // Pulled out between the two calls.
      if (ckr === 'CKR_TOKEN_NOT_PRESENT' || ckr === 'CKR_DEVICE_REMOVED' || ckr === 'CKR_SLOT_ID_INVALID') {
        continue;
      }
      throw error;
    }
    // SoftHSM2 always offers a blank token to initialise, and a blank card can hold nothing to sign with.
    if ((info.flags & pkcs11js.CKF_TOKEN_INITIALIZED) === 0) {
      continue;
    }
    tokens.push(tokenInfoOf(slotIdOf(slot), info));
  }
  return tokens;
}

function tokenInfoOf(slotId: string, info: Pkcs11TokenInfo): TokenInfo {
  const has = (flag: number): boolean => (info.flags & flag) !== 0;
  return {
    slotId,
    label: info.label.trim(),
    serialNumber: info.serialNumber.trim(),
    manufacturer: info.manufacturerID.trim(),
    flags: {
      pinCountLow: has(pkcs11js.CKF_USER_PIN_COUNT_LOW),
      pinFinalTry: has(pkcs11js.CKF_USER_PIN_FINAL_TRY),
      pinLocked: has(pkcs11js.CKF_USER_PIN_LOCKED),
      protectedAuthenticationPath: has(pkcs11js.CKF_PROTECTED_AUTHENTICATION_PATH),
    },
    pinLength: { min: info.minPinLen, max: info.maxPinLen },
  };
}

function fingerprint(tokens: TokenInfo[]): string {
  return tokens.map((token) => `${token.slotId}:${token.serialNumber}`).join(',');
}

/** A slot handle's bytes are the native CK_SLOT_ID, in the machine's byte order. */
function slotIdOf(handle: Buffer): string {
  const littleEndian = os.endianness() === 'LE';
  if (handle.length === 8) {
    return (littleEndian ? handle.readBigUInt64LE() : handle.readBigUInt64BE()).toString();
  }
  if (handle.length === 4) {
    return (littleEndian ? handle.readUInt32LE() : handle.readUInt32BE()).toString();
  }
  throw new CardError('CARD_FAILED', `pkcs11js returned a ${handle.length}-byte slot id.`);
}

function slotHandle(slotId: string): Buffer {
  const value = /^\d{1,20}$/.test(slotId) ? BigInt(slotId) : -1n;
  if (value < 0n || value >= 1n << BigInt(SLOT_ID_BYTES * 8)) {
    throw new CardError('CARD_FAILED', `${JSON.stringify(slotId)} is not a PKCS#11 slot id.`);
  }
  const handle = Buffer.alloc(SLOT_ID_BYTES);
  const littleEndian = os.endianness() === 'LE';
  if (SLOT_ID_BYTES === 8) {
    if (littleEndian) {
      handle.writeBigUInt64LE(value);
    } else {
      handle.writeBigUInt64BE(value);
    }
  } else if (littleEndian) {
    handle.writeUInt32LE(Number(value));
  } else {
    handle.writeUInt32BE(Number(value));
  }
  return handle;
}

/** A copy with a buffer of its own, to transfer rather than clone (see pkcs11-protocol.ts). */
function exact(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** The same bytes as a Buffer, for pkcs11js; not a copy (a copy of a PIN would be one more to clear). */
function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The CardError the main thread will rebuild, named after the failing PKCS#11 function. */
function wireError(error: unknown, operation: string): WireError {
  const card = toCardError(error, operation);
  const cause = card.cause;
  return {
    code: card.code,
    message: card.message,
    ckr: card.ckr,
    ...(cause instanceof Error ? { cause: { name: cause.name, message: cause.message } } : {}),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

if (parentPort === null) {
  throw new Error('pkcs11-worker.js runs only as a worker thread, started by Pkcs11Module.');
}
const port = parentPort;
const library = new Library(port);
port.on('message', (request: Pkcs11Request) => library.handle(request));
