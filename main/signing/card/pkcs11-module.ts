import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  CardError,
  type CardMechanism,
  type CardModule,
  type CardSession,
  type TokenCertificate,
  type TokenInfo,
} from './card-token.js';
import type {
  Pkcs11Call,
  Pkcs11Item,
  Pkcs11Op,
  Pkcs11Reply,
  Pkcs11Request,
  Pkcs11Results,
  SessionId,
  WireError,
} from './pkcs11-protocol.js';

/**
 * C_WaitForSlotEvent(CKF_DONT_BLOCK) only reads state the library already keeps, so it can be asked often;
 * listing tokens makes the middleware talk to every reader, so that fallback is slower.
 */
const EVENT_POLL_MS = 500;
const LIST_POLL_MS = 2000;

export interface Pkcs11ModuleOptions {
  /**
   * The built worker script, pkcs11-worker.js (a `file:` or `data:` URL). By default the one beside this
   * module; when this module runs as TypeScript source (under the tests), the build's copy in dist/.
   * There is no fallback to calling the library on this thread: without a worker the library is not
   * loaded. Only the first load of a library uses it.
   */
  workerScript?: URL;
}

/**
 * A second C_Initialize of the same library in one process fails (CKR_CRYPTOKI_ALREADY_INITIALIZED), and a
 * C_Finalize would pull it from under every other user, so each library (by real path) is loaded once.
 */
const loaded = new Map<string, Pkcs11Module>();
/** Loads under way, so that two callers at once share one worker rather than initialising twice. */
const starting = new Map<string, Promise<Pkcs11Module>>();

/**
 * A PKCS#11 library (the NHS card middleware, SoftHSM2) through pkcs11js, called from a worker thread of
 * its own (pkcs11-worker.ts) and never from this one.
 *
 * pkcs11js has no asynchronous C_Login, so a PIN pad held the event loop for as long as the clinician
 * typed (up to a minute and a half), and with it every other prescribing system and the window. In the
 * worker, C_Login, C_Sign and the rest are plain blocking calls, and this class only posts requests and
 * waits for answers. The worker takes them one at a time in the order posted, across all of this
 * library's sessions: a smartcard does one thing at a time anyway, and so the library is only ever
 * entered from one thread.
 */
export class Pkcs11Module implements CardModule {
  public readonly name: string;
  private readonly sessions = new Set<Pkcs11Session>();
  private closing: Promise<void> | null = null;
  private readonly waiters = new Set<() => void>();
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;

  private constructor(
    name: string,
    private readonly realPath: string,
    private readonly thread: LibraryThread,
    /** Whether the library has C_WaitForSlotEvent (else token lists are compared, less often). */
    private slotEvents: boolean,
  ) {
    this.name = name;
    thread.onFailure = () => this.lost();
  }

  /**
   * Loads and initialises the library at `path` in a new worker thread, or returns the instance already
   * loaded from it. Throws MODULE_FAILED, naming the path, if it is missing, is not a PKCS#11 library or
   * fails C_Initialize.
   */
  public static async load(path: string, options: Pkcs11ModuleOptions = {}): Promise<Pkcs11Module> {
    let realPath: string;
    try {
      realPath = await fsp.realpath(path);
    } catch (error) {
      throw new CardError('MODULE_FAILED', `The PKCS#11 library ${path} was not found.`, { cause: error });
    }
    const existing = loaded.get(realPath);
    if (existing?.closing) {
      await existing.closing;
      return Pkcs11Module.load(path, options);
    }
    if (existing) {
      return existing;
    }
    const pending = starting.get(realPath);
    if (pending) {
      await pending.catch(() => undefined);
      return Pkcs11Module.load(path, options);
    }

    const start = Pkcs11Module.start(path, realPath, options);
    starting.set(realPath, start);
    try {
      const module = await start;
      loaded.set(realPath, module);
      return module;
    } finally {
      starting.delete(realPath);
    }
  }

  private static async start(path: string, realPath: string, options: Pkcs11ModuleOptions): Promise<Pkcs11Module> {
    const thread = new LibraryThread(workerScript(path, options.workerScript), path);
    try {
      const { slotEvents } = await thread.call({ op: 'load', path: realPath, name: path });
      return new Pkcs11Module(path, realPath, thread, slotEvents);
    } catch (error) {
      await thread.terminate();
      throw error;
    }
  }

  public tokens(): Promise<TokenInfo[]> {
    return this.runOpen({ op: 'tokens' });
  }

  public tokenInfo(slotId: string): Promise<TokenInfo> {
    return this.runOpen({ op: 'tokenInfo', slotId });
  }

  public async openSession(slotId: string): Promise<CardSession> {
    const id = await this.runOpen({ op: 'openSession', slotId });
    const session = new Pkcs11Session(id, this.thread, () => this.sessions.delete(session));
    this.sessions.add(session);
    return session;
  }

  /**
   * A change since the last tokens() also counts (and, with slot events, since the last wait), so a caller
   * that lists the tokens and then waits misses nothing in between. The checks queue behind the card's
   * other work in the worker; the timeout does not wait for them.
   */
  public waitForChange(timeoutMs: number): Promise<void> {
    if (this.closing !== null) {
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

  /**
   * Closes every session (logging out), finalizes the library and ends its worker thread. Calls made before
   * close() finish first; later calls fail.
   */
  public close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await Promise.allSettled([...this.sessions].map((session) => session.close()));
    // The worker answers in order, so everything asked before this has finished when it is answered.
    await this.thread.call({ op: 'finalize' }).catch(() => undefined);
    this.forgetLibrary();
    await this.thread.terminate();
  }

  /** The worker thread died: nothing more will come from it. */
  private lost(): void {
    this.forgetLibrary();
  }

  private forgetLibrary(): void {
    // A later load() of the path starts afresh (after close(), only once this one is finalized).
    if (loaded.get(this.realPath) === this) {
      loaded.delete(this.realPath);
    }
    if (this.pollTimer !== null) {
      clearTimeout(this.pollTimer);
      this.pollTimer = null;
    }
    // The library going away is a change for whoever watches it.
    for (const wake of [...this.waiters]) {
      wake();
    }
  }

  /**
   * For the module's own calls: refused once close() has started, while calls made before it still run
   * first (sessions close after that).
   */
  private runOpen<K extends Pkcs11Op>(call: Extract<Pkcs11Call, { op: K }>): Promise<Pkcs11Results[K]> {
    if (this.closing !== null) {
      return Promise.reject(closedError(this.name));
    }
    return this.thread.call(call);
  }

  private schedulePoll(delayMs: number): void {
    if (this.pollTimer !== null || this.polling || this.closing !== null || this.thread.failure !== null) {
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
      const check = await this.thread.call({ op: 'checkForChange' });
      changed = check.changed;
      this.slotEvents = check.slotEvents;
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
}

class Pkcs11Session implements CardSession {
  private open = true;

  constructor(
    private readonly id: SessionId,
    private readonly thread: LibraryThread,
    private readonly forget: () => void,
  ) {}

  public async certificates(): Promise<TokenCertificate[]> {
    const certificates = await this.use({ op: 'certificates', session: this.id });
    return certificates.map((certificate) => ({
      id: toBuffer(certificate.id),
      label: certificate.label,
      der: toBuffer(certificate.der),
    }));
  }

  public hasPrivateKey(id: Buffer): Promise<boolean> {
    const copy = exact(id);
    return this.use({ op: 'hasPrivateKey', session: this.id, keyId: copy }, [copy.buffer]);
  }

  /**
   * The PIN goes to the worker as a copy that is moved there, not cloned, and cleared there once C_Login
   * has it; `pin` stays the caller's to clear. For a PIN pad (`pin` null) the worker passes no PIN.
   */
  public async login(pin: Buffer | null): Promise<void> {
    if (!this.open) {
      throw closedSession();
    }
    const copy = pin === null ? null : exact(pin);
    const sent = this.thread.call({ op: 'login', session: this.id, pin: copy }, copy === null ? [] : [copy.buffer]);
    // Moved to the worker, the copy is empty here; a call refused before it was posted kept it, so clear it.
    if (copy !== null && copy.byteLength > 0) {
      copy.fill(0);
    }
    await sent;
  }

  public async sign(mechanism: CardMechanism, keyId: Buffer, data: Buffer): Promise<Buffer> {
    const key = exact(keyId);
    const bytes = exact(data);
    const signature = await this.use({ op: 'sign', session: this.id, mechanism, keyId: key, data: bytes }, [
      key.buffer,
      bytes.buffer,
    ]);
    return toBuffer(signature);
  }

  /**
   * Signs `items` in order in one request, so the worker goes from one signature to the next without
   * waiting for this thread. `onEach` is called in order, once for each item signed, and once with the
   * CardError that stopped the batch, if one did: a card in doubt signs nothing more, and the caller
   * decides what to try again. Nothing is reported after `signal` aborts or `onEach` throws; the card
   * stops after the signature it is making. Resolves once the worker has stopped working on the batch
   * (so nothing is still running on the card); rejects if the batch could not start (session closed,
   * library failed: items not reported were not signed) or with what `onEach` threw.
   */
  public async signMany(
    mechanism: CardMechanism,
    keyId: Buffer,
    items: readonly Buffer[],
    onEach: (index: number, outcome: Buffer | CardError) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    if (!this.open) {
      throw closedSession();
    }
    const cancel = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const stopped = new Int32Array(cancel);
    const stop = (): void => {
      Atomics.store(stopped, 0, 1);
    };
    // An object, not a variable: assigned in a callback, which the compiler's narrowing does not follow.
    const thrown: { error?: unknown; threw: boolean } = { threw: false };
    const report = (item: Pkcs11Item): void => {
      if (Atomics.load(stopped, 0) !== 0) {
        return;
      }
      try {
        onEach(item.index, 'signature' in item ? toBuffer(item.signature) : fromWire(item.error));
      } catch (error) {
        stop();
        thrown.threw = true;
        thrown.error = error;
      }
    };
    if (signal?.aborted) {
      stop();
    }
    signal?.addEventListener('abort', stop, { once: true });
    const key = exact(keyId);
    const copies = items.map(exact);
    try {
      await this.thread.call(
        { op: 'signMany', session: this.id, mechanism, keyId: key, items: copies, cancel },
        [key.buffer, ...copies.map((copy) => copy.buffer)],
        report,
      );
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    if (thrown.threw) {
      throw thrown.error;
    }
  }

  public async logout(): Promise<void> {
    await this.use({ op: 'logout', session: this.id });
  }

  /**
   * Logs out first if this session logged in, even though that ends the login for every session of the
   * token: a card must not stay unlocked after the signing that needed it. A session the card already
   * dropped (removed, reset) closes quietly.
   */
  public async close(): Promise<void> {
    if (!this.open) {
      return;
    }
    this.open = false;
    this.forget();
    await this.thread.call({ op: 'closeSession', session: this.id });
  }

  /** Checked when called, not when run: a signature asked for before close() still completes. */
  private use<K extends Pkcs11Op>(
    call: Extract<Pkcs11Call, { op: K }>,
    transfer: ArrayBuffer[] = [],
  ): Promise<Pkcs11Results[K]> {
    if (!this.open) {
      return Promise.reject(closedSession());
    }
    return this.thread.call(call, transfer);
  }
}

interface Waiting {
  resolve: (result: never) => void;
  reject: (error: CardError) => void;
  onItem: ((item: Pkcs11Item) => void) | undefined;
}

/**
 * The worker thread of one library, and the requests it has not answered yet. It keeps the process alive
 * only while it has some: an idle card library must not stop the companion (or a test) from exiting.
 */
class LibraryThread {
  public failure: CardError | null = null;
  public onFailure: (() => void) | null = null;
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private ended = false;

  constructor(
    script: URL,
    private readonly name: string,
  ) {
    this.worker = new Worker(script, { execArgv: workerExecArgv() });
    this.worker.unref();
    this.worker.on('message', (reply: Pkcs11Reply) => this.receive(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('messageerror', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the thread exited with code ${code}`)));
  }

  /** Posts `call`, moving the buffers in `transfer` to the worker. */
  public call<K extends Pkcs11Op>(
    call: Extract<Pkcs11Call, { op: K }>,
    transfer: ArrayBuffer[] = [],
    onItem?: (item: Pkcs11Item) => void,
  ): Promise<Pkcs11Results[K]> {
    if (this.failure !== null) {
      return Promise.reject(this.failure);
    }
    if (this.ended) {
      return Promise.reject(closedError(this.name));
    }
    const id = this.nextId++;
    return new Promise<Pkcs11Results[K]>((resolve, reject) => {
      if (this.waiting.size === 0) {
        this.worker.ref();
      }
      this.waiting.set(id, { resolve, reject, onItem });
      const request: Pkcs11Request = { id, call };
      this.worker.postMessage(request, transfer);
    });
  }

  /** Ends the thread. The library must be finalized first: a thread stopped mid-call leaves it in use. */
  public async terminate(): Promise<void> {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.settleAll(closedError(this.name));
    await this.worker.terminate();
  }

  private receive(reply: Pkcs11Reply): void {
    const waiting = this.waiting.get(reply.id);
    if (waiting === undefined) {
      return;
    }
    if (reply.kind === 'item') {
      waiting.onItem?.(reply);
      return;
    }
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) {
      this.worker.unref();
    }
    if (reply.kind === 'done') {
      waiting.resolve(reply.result as never);
    } else {
      waiting.reject(fromWire(reply.error));
    }
  }

  /**
   * The thread died (an exception nothing caught, or a message that could not be read): every call waiting
   * and every later one fails with MODULE_FAILED rather than hanging. A crash inside the library's own code
   * is not caught here: a worker thread shares the process.
   */
  private fail(error: unknown): void {
    if (this.ended || this.failure !== null) {
      return;
    }
    const detail = error instanceof Error ? error.message : String(error);
    this.failure = new CardError(
      'MODULE_FAILED',
      `The PKCS#11 library ${this.name} stopped working (${detail}). Restart the companion to use the card again.`,
      { cause: error },
    );
    this.settleAll(this.failure);
    this.onFailure?.();
    void this.worker.terminate();
  }

  private settleAll(error: CardError): void {
    for (const waiting of this.waiting.values()) {
      waiting.reject(error);
    }
    this.waiting.clear();
    this.worker.unref();
  }
}

/**
 * Where the worker script is. The build puts pkcs11-worker.js beside this module. The tests run this module
 * as TypeScript source, with no .js beside it and nothing Node could run as a worker, so there the
 * build's copy in dist/ is used (`npm test` builds first); tsconfig maps main/ to dist/main/.
 */
function workerScript(name: string, explicit: URL | undefined): URL {
  const candidates: URL[] = [];
  if (explicit !== undefined) {
    candidates.push(explicit);
  } else {
    candidates.push(new URL('./pkcs11-worker.js', import.meta.url));
    if (import.meta.url.endsWith('.ts')) {
      candidates.push(new URL('../../../dist/main/signing/card/pkcs11-worker.js', import.meta.url));
    }
  }
  const found = candidates.find((url) => url.protocol !== 'file:' || fs.existsSync(fileURLToPath(url)));
  if (found === undefined) {
    const where = candidates.map((url) => fileURLToPath(url)).join(' or ');
    throw new CardError(
      'MODULE_FAILED',
      `The PKCS#11 library ${name} cannot be used: the companion's card worker (${where}) is missing, so the companion is not installed or built completely.`,
    );
  }
  return found;
}

/**
 * This process's Node options, which a worker inherits (so --cpu-prof or --inspect reach the card too),
 * less --input-type: it only describes a main script given as a string (`node --input-type=module -e`),
 * and Node refuses to start a worker from a file with it.
 */
function workerExecArgv(): string[] {
  const kept: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i] as string;
    if (arg === '--input-type') {
      i++;
    } else if (!arg.startsWith('--input-type=')) {
      kept.push(arg);
    }
  }
  return kept;
}

function fromWire(error: WireError): CardError {
  const cause = error.cause === undefined ? undefined : Object.assign(new Error(error.cause.message), { name: error.cause.name });
  return new CardError(error.code, error.message, {
    ...(error.ckr === null ? {} : { ckr: error.ckr }),
    ...(cause === undefined ? {} : { cause }),
  });
}

function closedError(name: string): CardError {
  return new CardError('MODULE_FAILED', `The PKCS#11 library ${name} has been closed.`);
}

function closedSession(): CardError {
  return new CardError('SESSION_INVALID', 'The card session has been closed.');
}

/** A copy with a buffer of its own, to move to the worker rather than clone (see pkcs11-protocol.ts). */
function exact(bytes: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
