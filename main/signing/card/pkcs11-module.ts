import fs from 'node:fs/promises';
import os from 'node:os';
// pkcs11js is CommonJS whose exports are built at run time (`{ ...native, PKCS11 }`), so Node's ESM loader
// finds no named exports: take the whole module object as the default import.
import pkcs11js, { type PKCS11, type Template, type TokenInfo as Pkcs11TokenInfo } from 'pkcs11js';
import {
  CardError,
  type CardMechanism,
  type CardModule,
  type CardSession,
  type TokenCertificate,
  type TokenInfo,
} from './card-token.js';
import { ckrName, toCardError } from './pkcs11-errors.js';

const MECHANISMS: Readonly<Record<CardMechanism, number>> = {
  RS256: pkcs11js.CKM_SHA256_RSA_PKCS,
  RS1: pkcs11js.CKM_SHA1_RSA_PKCS,
};

/** Room for an RSA-4096 signature, so C_Sign never needs a length query first. */
const SIGNATURE_BYTES = 512;

/** CK_SLOT_ID is a C unsigned long: 4 bytes on Windows (LLP64), 8 elsewhere. pkcs11js passes its raw bytes. */
const SLOT_ID_BYTES = process.platform === 'win32' ? 4 : 8;

/**
 * C_WaitForSlotEvent(CKF_DONT_BLOCK) only reads state the library already keeps, so it can be asked often;
 * listing tokens makes the middleware talk to every reader, so that fallback is slower.
 */
const EVENT_POLL_MS = 500;
const LIST_POLL_MS = 2000;

/** Errors that mean a session is already gone, which is what closing it wants anyway. */
const GONE = new Set([
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
]);

/**
 * A second C_Initialize of the same library in one process fails (CKR_CRYPTOKI_ALREADY_INITIALIZED), and a
 * C_Finalize would pull it from under every other user, so each library (by real path) is loaded once.
 */
const loaded = new Map<string, Pkcs11Module>();

/** What a session needs from its module: every call goes through the module's queue. */
type Runner = <T>(operation: string, work: (library: PKCS11) => T | Promise<T>) => Promise<T>;

/**
 * A PKCS#11 library (the NHS card middleware, SoftHSM2) through pkcs11js.
 *
 * Calls are made one at a time, in order, across all of this library's sessions. A smartcard does one thing
 * at a time anyway, and it keeps the library safe while C_Sign runs on a worker thread (C_SignAsync, so the
 * event loop keeps going during the card's second or so of RSA). Logging in cannot be moved off the event
 * loop: pkcs11js has no asynchronous C_Login, so a PIN pad blocks it until the user finishes.
 */
export class Pkcs11Module implements CardModule {
  public readonly name: string;
  private library: PKCS11 | null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly sessions = new Set<Pkcs11Session>();
  private closing: Promise<void> | null = null;
  /** Cleared when the library says it has no C_WaitForSlotEvent; then token lists are compared instead. */
  private slotEvents = true;
  /** Slot ids and serial numbers as last seen, so a change between tokens() and waitForChange() counts. */
  private lastSeen: string | null = null;
  private readonly waiters = new Set<() => void>();
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;

  private constructor(
    name: string,
    private readonly realPath: string,
    library: PKCS11,
    private readonly finalizeOnClose: boolean,
  ) {
    this.name = name;
    this.library = library;
  }

  /**
   * Loads and initialises the library at `path`, or returns the instance already loaded from it. Throws
   * MODULE_FAILED, naming the path, if it is missing, is not a PKCS#11 library or fails C_Initialize.
   */
  public static async load(path: string): Promise<Pkcs11Module> {
    let realPath: string;
    try {
      realPath = await fs.realpath(path);
    } catch (error) {
      throw new CardError('MODULE_FAILED', `The PKCS#11 library ${path} was not found.`, { cause: error });
    }
    const existing = loaded.get(realPath);
    if (existing?.closing) {
      await existing.closing;
      return Pkcs11Module.load(path);
    }
    if (existing) {
      return existing;
    }

    const library = new pkcs11js.PKCS11();
    try {
      library.load(realPath);
    } catch (error) {
      throw new CardError('MODULE_FAILED', `The PKCS#11 library ${path} could not be loaded: ${messageOf(error)}`, {
        cause: error,
      });
    }
    let finalizeOnClose = true;
    try {
      initialize(library);
    } catch (error) {
      // Something else in this process initialised it outside this registry; it is usable, but not ours to
      // finalize.
      if (ckrName(error) === 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
        finalizeOnClose = false;
      } else {
        library.close();
        const ckr = ckrName(error);
        throw new CardError('MODULE_FAILED', `The PKCS#11 library ${path} failed to start: ${messageOf(error)}`, {
          cause: error,
          ...(ckr === null ? {} : { ckr }),
        });
      }
    }

    const module = new Pkcs11Module(path, realPath, library, finalizeOnClose);
    loaded.set(realPath, module);
    module.drainSlotEvents(library);
    return module;
  }

  public tokens(): Promise<TokenInfo[]> {
    return this.runOpen('C_GetSlotList', (library) => {
      const tokens = readTokens(library);
      this.lastSeen = fingerprint(tokens);
      return tokens;
    });
  }

  public tokenInfo(slotId: string): Promise<TokenInfo> {
    return this.runOpen('C_GetTokenInfo', (library) => {
      const slot = slotHandle(slotId);
      return tokenInfoOf(slotIdOf(slot), library.C_GetTokenInfo(slot));
    });
  }

  public openSession(slotId: string): Promise<CardSession> {
    return this.runOpen('C_OpenSession', (library) => {
      // Without CKF_SERIAL_SESSION the call fails (CKR_SESSION_PARALLEL_NOT_SUPPORTED): the flag is mandatory.
      const handle = library.C_OpenSession(slotHandle(slotId), pkcs11js.CKF_SERIAL_SESSION);
      const session = new Pkcs11Session(handle, (operation, work) => this.run(operation, work), () =>
        this.sessions.delete(session),
      );
      this.sessions.add(session);
      return session;
    });
  }

  /**
   * A change since the last tokens() also counts (and, with slot events, since the last wait), so a caller
   * that lists the tokens and then waits misses nothing in between.
   */
  public waitForChange(timeoutMs: number): Promise<void> {
    if (this.library === null || this.closing !== null) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiters.add(done);
      this.schedulePoll(0);
    });
  }

  /** Closes every session (logging out), finalizes the library and unloads it. Later calls fail. */
  public close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await Promise.allSettled([...this.sessions].map((session) => session.close()));
    await this.queue;
    const library = this.library;
    this.library = null;
    loaded.delete(this.realPath);
    if (this.pollTimer !== null) {
      clearTimeout(this.pollTimer);
      this.pollTimer = null;
    }
    for (const wake of [...this.waiters]) {
      wake();
    }
    if (library === null) {
      return;
    }
    try {
      if (this.finalizeOnClose) {
        library.C_Finalize();
      }
    } catch {
      // The library is being dropped either way; a failing C_Finalize leaves nothing to do differently.
    } finally {
      library.close();
    }
  }

  /**
   * Runs `work` after everything queued before it. pkcs11js errors come out as CardError, named after the
   * PKCS#11 function that failed (or `operation` when pkcs11js does not say).
   */
  private run<T>(operation: string, work: (library: PKCS11) => T | Promise<T>): Promise<T> {
    const result = this.queue.then(() => {
      if (this.library === null) {
        throw this.closedError();
      }
      return work(this.library);
    });
    this.queue = result.catch(() => undefined);
    return result.catch((error: unknown) => {
      throw toCardError(error, operation);
    });
  }

  /**
   * For the module's own calls: refused once close() has started, while calls made before it still run
   * first (sessions close through run() after that).
   */
  private runOpen<T>(operation: string, work: (library: PKCS11) => T): Promise<T> {
    if (this.closing !== null) {
      return Promise.reject(this.closedError());
    }
    return this.run(operation, work);
  }

  private closedError(): CardError {
    return new CardError('MODULE_FAILED', `The PKCS#11 library ${this.name} has been closed.`);
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

  private schedulePoll(delayMs: number): void {
    if (this.pollTimer !== null || this.polling || this.library === null) {
      return;
    }
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      void this.poll();
    }, delayMs);
  }

  private async poll(): Promise<void> {
    this.polling = true;
    let changed = false;
    try {
      changed = await this.checkForChange();
    } catch {
      // A failed check is not a change: waking callers would only have them fail the same way, in a loop.
    } finally {
      this.polling = false;
    }
    if (changed) {
      for (const wake of [...this.waiters]) {
        wake();
      }
    }
    if (this.waiters.size > 0) {
      this.schedulePoll(this.slotEvents ? EVENT_POLL_MS : LIST_POLL_MS);
    }
  }

  private checkForChange(): Promise<boolean> {
    return this.run('C_WaitForSlotEvent', (library) => {
      if (this.slotEvents) {
        try {
          // Never the blocking form: pkcs11js would block the event loop, and only C_Finalize can end it.
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
    });
  }
}

class Pkcs11Session implements CardSession {
  private open = true;
  private loggedIn = false;
  private readonly signingKeys = new Map<string, Buffer>();

  constructor(
    private readonly handle: Buffer,
    private readonly run: Runner,
    private readonly forget: () => void,
  ) {}

  public certificates(): Promise<TokenCertificate[]> {
    return this.use('C_FindObjects', (library) => {
      const objects = this.find(library, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
        { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
      ]);
      const certificates: TokenCertificate[] = [];
      for (const object of objects) {
        const der = this.attribute(library, object, pkcs11js.CKA_VALUE);
        if (der === null || der.length === 0) {
          continue;
        }
        certificates.push({
          id: this.attribute(library, object, pkcs11js.CKA_ID) ?? Buffer.alloc(0),
          label: (this.attribute(library, object, pkcs11js.CKA_LABEL) ?? Buffer.alloc(0)).toString('utf8'),
          der,
        });
      }
      return certificates;
    });
  }

  public hasPrivateKey(id: Buffer): Promise<boolean> {
    return this.use('C_FindObjects', (library) => this.findPrivateKey(library, id) !== null);
  }

  /**
   * pkcs11js takes the PIN as a string, so it is decoded here, at the last moment, and the string dropped at
   * once; `pin` stays the caller's to clear. For a PIN pad (`pin` null) pkcs11js cannot pass a NULL pointer:
   * the library gets an empty PIN, which PIN pad middleware treats the same way.
   */
  public login(pin: Buffer | null): Promise<void> {
    return this.use('C_Login', (library) => {
      try {
        library.C_Login(this.handle, pkcs11js.CKU_USER, pin === null ? '' : pin.toString('utf8'));
      } catch (error) {
        // Login is per token, not per session: another session of ours may have logged in already.
        if (ckrName(error) !== 'CKR_USER_ALREADY_LOGGED_IN') {
          throw error;
        }
      }
      this.loggedIn = true;
    });
  }

  public sign(mechanism: CardMechanism, keyId: Buffer, data: Buffer): Promise<Buffer> {
    return this.use('C_Sign', async (library) => {
      // An object handle stays valid for the session, and a search costs more than a signature on some
      // tokens, so a batch searches once.
      const cacheKey = keyId.toString('hex');
      const key = this.signingKeys.get(cacheKey) ?? this.findPrivateKey(library, keyId);
      if (key !== null) {
        this.signingKeys.set(cacheKey, key);
      }
      if (key === null) {
        throw new CardError('CARD_FAILED', `The card has no private key with CKA_ID ${keyId.toString('hex')}.`);
      }
      library.C_SignInit(this.handle, { mechanism: MECHANISMS[mechanism] }, key);
      const signature = await library.C_SignAsync(this.handle, data, Buffer.alloc(SIGNATURE_BYTES));
      return Buffer.from(signature);
    });
  }

  public logout(): Promise<void> {
    return this.use('C_Logout', (library) => {
      this.loggedIn = false;
      // Private objects' handles do not outlive the login.
      this.signingKeys.clear();
      try {
        library.C_Logout(this.handle);
      } catch (error) {
        if (ckrName(error) !== 'CKR_USER_NOT_LOGGED_IN') {
          throw error;
        }
      }
    });
  }

  /**
   * Logs out first if this session logged in, even though that ends the login for every session of the
   * token: a card must not stay unlocked after the signing that needed it. A session the card already
   * dropped (removed, reset) closes quietly.
   */
  public close(): Promise<void> {
    if (!this.open) {
      return Promise.resolve();
    }
    this.open = false;
    return this.run('C_CloseSession', (library) => {
      this.forget();
      let logoutError: CardError | null = null;
      if (this.loggedIn) {
        this.loggedIn = false;
        try {
          library.C_Logout(this.handle);
        } catch (error) {
          const ckr = ckrName(error);
          if (ckr !== 'CKR_USER_NOT_LOGGED_IN' && (ckr === null || !GONE.has(ckr))) {
            logoutError = toCardError(error, 'C_Logout');
          }
        }
      }
      try {
        library.C_CloseSession(this.handle);
      } catch (error) {
        const ckr = ckrName(error);
        if (ckr === null || !GONE.has(ckr)) {
          throw error;
        }
      }
      if (logoutError !== null) {
        throw logoutError;
      }
    });
  }

  /** Checked when called, not when run: a signature asked for before close() still completes. */
  private use<T>(operation: string, work: (library: PKCS11) => T | Promise<T>): Promise<T> {
    if (!this.open) {
      return Promise.reject(new CardError('SESSION_INVALID', 'The card session has been closed.'));
    }
    return this.run(operation, work);
  }

  private findPrivateKey(library: PKCS11, id: Buffer): Buffer | null {
    const [key] = this.find(library, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      { type: pkcs11js.CKA_ID, value: id },
    ]);
    return key ?? null;
  }

  private find(library: PKCS11, template: Template): Buffer[] {
    library.C_FindObjectsInit(this.handle, template);
    const found: Buffer[] = [];
    try {
      for (;;) {
        const batch = library.C_FindObjects(this.handle, 16);
        if (batch.length === 0) {
          break;
        }
        found.push(...batch);
      }
    } finally {
      // A search left open makes the session refuse the next one (CKR_OPERATION_ACTIVE).
      try {
        library.C_FindObjectsFinal(this.handle);
      } catch {
        // Only reached with an error already on its way out, which says more.
      }
    }
    return found;
  }

  /** One attribute, or null if the object has none (a certificate without CKA_ID, for one). */
  private attribute(library: PKCS11, object: Buffer, type: number): Buffer | null {
    try {
      const [result] = library.C_GetAttributeValue(this.handle, object, [{ type }]);
      return result ? Buffer.from(result.value) : null;
    } catch (error) {
      if (ckrName(error) === 'CKR_ATTRIBUTE_TYPE_INVALID') {
        return null;
      }
      throw error;
    }
  }
}

function initialize(library: PKCS11): void {
  try {
    // Asks for locking even though this class calls one at a time: C_Sign runs on another thread, and some
    // libraries misbehave when entered from two threads without it.
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
