import { verify } from 'node:crypto';
import type { Logger } from '../../platform/logger.js';
import { certificateFacts, type CertificateFacts } from '../x509/certificate-facts.js';
import { SigningError } from '../signing-error.js';
import { CardError, type CardMechanism, type CardModule, type CardSession, type TokenCertificate, type TokenInfo } from './card-token.js';

/** Where the card modules come from: loaded once, with a plain sentence for each that failed. */
export interface CardModuleSource {
  modules(): Promise<{ modules: CardModule[]; problems: string[] }>;
}

interface OpenToken {
  module: CardModule;
  token: TokenInfo;
  session: CardSession;
  tokenKey: string;
}

/** A certificate on a card that may sign for the clinician. */
export interface CardCandidate {
  /** Names this certificate on this token in this library: a choice the window can send back. */
  key: string;
  /** Which open session holds it (library and slot). */
  tokenKey: string;
  /**
   * Whether its private key was seen before login. Many cards hide private keys (CKA_PRIVATE) until the
   * passcode is entered, so an unseen key is looked for again after login, before anything is signed.
   */
  keySeen: boolean;
  module: CardModule;
  token: TokenInfo;
  certificate: TokenCertificate;
  facts: CertificateFacts;
}

/** What the passcode screen shows before the clinician types anything. */
export interface PasscodeState {
  /** The reader has a PIN pad: the passcode is typed there, not in the window. */
  pinPad: boolean;
  /** A wrong passcode was entered since the last good one. */
  countLow: boolean;
  /** One more wrong passcode locks the card: the clinician must confirm before trying. */
  finalTry: boolean;
  /** The lengths the card accepts, so a passcode of the wrong length is refused without spending a try. */
  minLength: number;
  maxLength: number;
}

export type LoginOutcome = { ok: true } | { ok: false; reason: 'incorrect' | 'invalid'; message: string; state: PasscodeState };

export interface CardSignerOptions {
  /** How long one signature may take before the card is treated as not answering. */
  signatureTimeoutMs?: number;
  clock?: () => Date;
}

/**
 * Finds the clinician's signing certificate on a card, and signs with it.
 *
 * The certificate must have nonRepudiation, be in date, have its private key on the token (same CKA_ID),
 * and carry the signed-in clinician's UID at the start of its CN. A card that is somebody else's is
 * refused before any passcode is asked for, so nobody's tries are spent on the wrong card.
 */
export class CardSigner {
  constructor(
    private readonly source: CardModuleSource,
    private readonly logger: Logger,
    private readonly options: CardSignerOptions = {},
  ) {}

  /** Whether a card is there to sign with now (for the status and `session.getStatus`). */
  public async availability(): Promise<{ available: boolean; reason?: string }> {
    const { modules, problems } = await this.source.modules();
    if (modules.length === 0) {
      return { available: false, reason: problems[0] ?? 'No smartcard software (PKCS#11 module) is configured.' };
    }
    for (const module of modules) {
      try {
        if ((await module.tokens()).length > 0) {
          return { available: true };
        }
      } catch (err) {
        this.logger.warn('card.tokens_failed', { module: module.name, error: String(err) });
      }
    }
    return { available: false, reason: 'No smartcard is in the reader.' };
  }

  /** Opens the card(s) and picks the certificates that may sign for this clinician. */
  public async open(user: { uid: string; name: string }): Promise<CardSigning> {
    const { modules, problems } = await this.source.modules();
    const sessions: OpenToken[] = [];
    const candidates: CardCandidate[] = [];
    const otherHolders: CertificateFacts[] = [];
    const unusable: string[] = [];
    const now = (this.options.clock ?? (() => new Date()))();
    try {
      for (const [moduleIndex, module] of modules.entries()) {
        for (const token of await cardCall(() => module.tokens())) {
          const session = await cardCall(() => module.openSession(token.slotId));
          // Serial numbers are meant to be unique, but a slot in a library certainly is.
          const tokenKey = `${moduleIndex}:${token.slotId}`;
          sessions.push({ module, token, session, tokenKey });
          for (const certificate of await cardCall(() => session.certificates())) {
            const facts = safeFacts(certificate.der);
            if (!facts) {
              continue;
            }
            const problem = usability(facts, now);
            if (problem) {
              unusable.push(`${facts.commonName}: ${problem}`);
            } else if (facts.uid !== user.uid) {
              otherHolders.push(facts);
            } else {
              const keySeen = await cardCall(() => session.hasPrivateKey(certificate.id));
              candidates.push({ key: `${tokenKey}/${certificate.id.toString('hex')}`, tokenKey, keySeen, module, token, certificate, facts });
            }
          }
        }
      }
    } catch (err) {
      await closeAll(sessions.map((s) => s.session));
      throw err;
    }
    if (candidates.length === 0) {
      await closeAll(sessions.map((s) => s.session));
      if (sessions.length === 0) {
        const why = problems.length > 0 ? ` ${problems.join(' ')}` : '';
        throw new SigningError('CARD_ABSENT', `No smartcard is in the reader.${why}`);
      }
      const other = otherHolders[0];
      if (other) {
        throw new SigningError(
          'CARD_USER_MISMATCH',
          `The smartcard in the reader belongs to ${other.holderName} (UID ${other.uid ?? 'unknown'}), not to ${user.name} (UID ${user.uid}), who is signed in. Insert your own card.`,
        );
      }
      throw new SigningError(
        'NO_CERTIFICATE',
        `The smartcard has no certificate that can sign prescriptions${unusable.length > 0 ? ` (${unusable.join('; ')})` : ''}.`,
      );
    }
    const used = new Set(candidates.map((c) => c.tokenKey));
    await closeAll(sessions.filter((s) => !used.has(s.tokenKey)).map((s) => s.session));
    const kept = sessions.filter((s) => used.has(s.tokenKey));
    return new CardSigning(candidates, kept, this.logger, this.options.signatureTimeoutMs ?? 30_000);
  }
}

/**
 * One clinician's card for one batch: choose a certificate, log in once, sign each item, and end. `end()`
 * logs out, closes every session and clears the passcode it held, whatever happened before.
 */
export class CardSigning {
  private chosen: CardCandidate;
  private pin: Buffer | null = null;
  private loggedIn = false;
  private ended = false;
  /** Counts session reopenings, so that concurrent failures reopen once. */
  private generation = 0;
  private reopening: Promise<void> | null = null;

  constructor(
    public readonly candidates: readonly CardCandidate[],
    private readonly sessions: OpenToken[],
    private readonly logger: Logger,
    private readonly signatureTimeoutMs: number,
  ) {
    this.chosen = candidates[0] as CardCandidate;
  }

  public get certificate(): CardCandidate {
    return this.chosen;
  }

  /** Several certificates qualified: the clinician chose this one. */
  public choose(key: string): boolean {
    const candidate = this.candidates.find((c) => c.key === key);
    if (!candidate || this.loggedIn) {
      return false;
    }
    this.chosen = candidate;
    return true;
  }

  /** The token's passcode flags, read fresh: they change with every attempt. */
  public async passcodeState(): Promise<PasscodeState> {
    const info = await cardCall(() => this.chosen.module.tokenInfo(this.chosen.token.slotId));
    if (info.serialNumber !== this.chosen.token.serialNumber) {
      throw new SigningError('CARD_REMOVED', 'The smartcard was changed for another one. Nothing was signed.');
    }
    if (info.flags.pinLocked) {
      throw lockedError();
    }
    return { pinPad: info.flags.protectedAuthenticationPath, countLow: info.flags.pinCountLow, finalTry: info.flags.pinFinalTry, ...passcodeLengths(info) };
  }

  /**
   * Logs in with the passcode (null for a PIN pad). The passcode is copied, kept only until `end()` so a
   * dropped session can be reopened mid-batch without asking again, and then cleared.
   */
  public async login(pin: Buffer | null): Promise<LoginOutcome> {
    const state = await this.passcodeState();
    try {
      await cardCall(() => this.session().login(state.pinPad ? null : pin));
    } catch (err) {
      if (err instanceof SigningError && (err.cause instanceof CardError)) {
        const code = err.cause.code;
        if (code === 'PIN_INCORRECT' || code === 'PIN_INVALID') {
          const after = await this.passcodeState();
          const message = code === 'PIN_INVALID' ? 'That passcode is not the right length for this card.' : incorrectMessage(after);
          return { ok: false, reason: code === 'PIN_INVALID' ? 'invalid' : 'incorrect', message, state: after };
        }
      }
      throw err;
    }
    this.loggedIn = true;
    this.pin = pin && !state.pinPad ? Buffer.from(pin) : null;
    const chosen = this.chosen;
    if (!chosen.keySeen && !(await cardCall(() => this.session().hasPrivateKey(chosen.certificate.id)))) {
      throw new SigningError('NO_CERTIFICATE', `The smartcard has the certificate ${chosen.facts.commonName} but not its private key, so it cannot sign with it.`);
    }
    return { ok: true };
  }

  /**
   * Signs the SignedInfo bytes and checks the signature with the certificate before returning it, so broken
   * middleware is caught here rather than at EPS. A signature that does not verify is made once more.
   */
  public async sign(signedInfo: Buffer, algorithm: CardMechanism): Promise<Buffer> {
    const first = await this.signature(signedInfo, algorithm);
    if (this.verifies(signedInfo, algorithm, first)) {
      return first;
    }
    const again = await this.signAgain(signedInfo, algorithm);
    if (!again) {
      throw new SigningError('SIGNATURE_INVALID', "The card's signature does not verify with its certificate; the card software may be faulty.");
    }
    return again;
  }

  /** One more signature after one that did not verify: the verified signature, or null if it fails too. */
  public async signAgain(signedInfo: Buffer, algorithm: CardMechanism): Promise<Buffer | null> {
    this.logger.warn('card.sign_retry', { reason: 'SIGNATURE_INVALID' });
    const again = await this.signature(signedInfo, algorithm).catch(() => null);
    return again && this.verifies(signedInfo, algorithm, again) ? again : null;
  }

  /**
   * The card's signature over the bytes, not yet checked: a batch checks one signature while the card makes
   * the next. A device error or a dropped session is retried once, which is safe: signing the same bytes
   * again has no other effect.
   */
  public async signature(signedInfo: Buffer, algorithm: CardMechanism): Promise<Buffer> {
    if (!this.loggedIn) {
      throw new SigningError('CARD_ERROR', 'The card is not logged in.');
    }
    const generation = this.generation;
    try {
      return await this.signOnce(signedInfo, algorithm);
    } catch (err) {
      const code = err instanceof SigningError && err.cause instanceof CardError ? err.cause.code : null;
      if (code !== 'DEVICE_ERROR' && code !== 'SESSION_INVALID') {
        throw err;
      }
      this.logger.warn('card.sign_retry', { reason: code });
      if (code === 'SESSION_INVALID') {
        await this.reopenAfter(generation);
      }
      return this.signOnce(signedInfo, algorithm);
    }
  }

  /**
   * Several signatures are in flight at once, and each may meet the same lost session: the session is
   * reopened once, and every signature that failed on the old one retries on the new one.
   */
  private async reopenAfter(generation: number): Promise<void> {
    if (this.generation !== generation) {
      return;
    }
    this.reopening ??= this.reopen()
      .then(() => {
        this.generation++;
      })
      .finally(() => {
        this.reopening = null;
      });
    await this.reopening;
  }

  /**
   * Signs a run of items in order, reporting each signature (unchecked) or the fault that ended the run.
   * Where the library can, the whole run is one request to the card, which keeps it busy without a round
   * trip per signature. A device error or a lost session part-way goes on item by item from there, with
   * `signature()`'s one retry; any other fault ends the run. So does no signature for 30 seconds.
   */
  public async signSeries(
    items: readonly { data: Buffer; algorithm: CardMechanism }[],
    onEach: (index: number, outcome: Buffer | SigningError) => void,
    signal: AbortSignal,
  ): Promise<void> {
    if (!this.loggedIn) {
      throw new SigningError('CARD_ERROR', 'The card is not logged in.');
    }
    const session = this.session();
    const first = items[0];
    let next = 0;
    if (first && session.signMany && items.every((item) => item.algorithm === first.algorithm)) {
      const watchdog = new AbortController();
      let timer = setTimeout(() => watchdog.abort(), this.signatureTimeoutMs);
      let failure = null as CardError | null;
      try {
        await session.signMany(
          first.algorithm,
          this.chosen.certificate.id,
          items.map((item) => item.data),
          (index, outcome) => {
            clearTimeout(timer);
            timer = setTimeout(() => watchdog.abort(), this.signatureTimeoutMs);
            if (outcome instanceof CardError) {
              failure = outcome;
              return;
            }
            next = index + 1;
            onEach(index, outcome);
          },
          AbortSignal.any([signal, watchdog.signal]),
        );
      } finally {
        clearTimeout(timer);
      }
      if (watchdog.signal.aborted && !signal.aborted && next < items.length) {
        onEach(next, new SigningError('CARD_ERROR', `The smartcard did not answer within ${Math.round(this.signatureTimeoutMs / 1000)} seconds.`));
        return;
      }
      if (!failure) {
        return;
      }
      if (failure.code !== 'DEVICE_ERROR' && failure.code !== 'SESSION_INVALID') {
        onEach(next, fromCardError(failure));
        return;
      }
      this.logger.warn('card.sign_retry', { reason: failure.code });
      if (failure.code === 'SESSION_INVALID') {
        await this.reopenAfter(this.generation);
      }
    }
    for (let index = next; index < items.length && !signal.aborted; index++) {
      const item = items[index] as { data: Buffer; algorithm: CardMechanism };
      try {
        onEach(index, await this.signature(item.data, item.algorithm));
      } catch (err) {
        if (err instanceof SigningError) {
          onEach(index, err);
          return;
        }
        throw err;
      }
    }
  }

  /** Whether the signature verifies with the chosen certificate's public key. */
  public verifies(signedInfo: Buffer, algorithm: CardMechanism, signature: Buffer): boolean {
    return verify(algorithm === 'RS256' ? 'sha256' : 'sha1', signedInfo, this.chosen.facts.certificate.publicKey, signature);
  }

  public async end(): Promise<void> {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.pin?.fill(0);
    this.pin = null;
    for (const { session } of this.sessions) {
      if (this.loggedIn) {
        await session.logout().catch(() => undefined);
      }
      await session.close().catch(() => undefined);
    }
    this.loggedIn = false;
  }

  private async signOnce(signedInfo: Buffer, algorithm: CardMechanism): Promise<Buffer> {
    const candidate = this.chosen;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SigningError('CARD_ERROR', `The smartcard did not answer within ${Math.round(this.signatureTimeoutMs / 1000)} seconds.`)),
        this.signatureTimeoutMs,
      );
    });
    try {
      return await Promise.race([cardCall(() => this.session().sign(algorithm, candidate.certificate.id, signedInfo)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async reopen(): Promise<void> {
    const entry = this.sessions.find((s) => s.tokenKey === this.chosen.tokenKey);
    if (!entry) {
      throw new SigningError('CARD_ERROR', 'The card session is gone.');
    }
    await entry.session.close().catch(() => undefined);
    // Logging in again on another card would spend one of its tries with this card's passcode.
    const info = await cardCall(() => entry.module.tokenInfo(entry.token.slotId));
    if (info.serialNumber !== entry.token.serialNumber) {
      throw new SigningError('CARD_REMOVED', 'The smartcard was changed for another one during signing.');
    }
    entry.session = await cardCall(() => entry.module.openSession(entry.token.slotId));
    await cardCall(() => entry.session.login(this.pin));
  }

  private session(): CardSession {
    const entry = this.sessions.find((s) => s.tokenKey === this.chosen.tokenKey);
    if (!entry) {
      throw new SigningError('CARD_ERROR', 'The card session is gone.');
    }
    return entry.session;
  }
}

function usability(facts: CertificateFacts, now: Date): string | null {
  if (!facts.nonRepudiation) {
    return 'not a signing certificate (no nonRepudiation key usage)';
  }
  if (now < facts.notBefore) {
    return `not valid until ${facts.notBefore.toISOString().slice(0, 10)}`;
  }
  if (now > facts.notAfter) {
    return `expired on ${facts.notAfter.toISOString().slice(0, 10)}`;
  }
  return null;
}

/**
 * The card's stated passcode lengths, where they are sensible. Middleware that leaves them at 0, or
 * states a maximum below the minimum, is given the widest range the window accepts.
 */
function passcodeLengths(info: TokenInfo): { minLength: number; maxLength: number } {
  const min = Number.isInteger(info.pinLength.min) && info.pinLength.min > 0 && info.pinLength.min <= 64 ? info.pinLength.min : 1;
  const max = Number.isInteger(info.pinLength.max) && info.pinLength.max >= min && info.pinLength.max <= 64 ? info.pinLength.max : 64;
  return { minLength: min, maxLength: max };
}

function safeFacts(der: Buffer): CertificateFacts | null {
  try {
    return certificateFacts(der);
  } catch {
    return null;
  }
}

function incorrectMessage(state: PasscodeState): string {
  if (state.finalTry) {
    return 'The passcode is incorrect. You have 1 try left: one more wrong passcode locks the card.';
  }
  return state.countLow ? 'The passcode is incorrect. You have few tries left before the card locks.' : 'The passcode is incorrect.';
}

function lockedError(): SigningError {
  return new SigningError(
    'PIN_LOCKED',
    "The smartcard's passcode is locked after too many wrong tries. Nothing was signed. Ask your registration authority (RA) or sponsor to unlock the card.",
  );
}

/** Runs a card call and turns its CardError into the SigningError a caller can show. */
async function cardCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof CardError) {
      throw fromCardError(err);
    }
    throw err;
  }
}

function fromCardError(err: CardError): SigningError {
  switch (err.code) {
    case 'CARD_REMOVED':
      return new SigningError('CARD_REMOVED', 'The smartcard was removed.', { cause: err });
    case 'PIN_LOCKED':
      return Object.assign(lockedError(), { cause: err });
    case 'MODULE_FAILED':
      return new SigningError('SIGNER_UNAVAILABLE', err.message, { cause: err });
    case 'CANCELLED':
      return new SigningError('CANCELLED', 'Passcode entry on the reader was cancelled.', { cause: err });
    case 'DEVICE_ERROR':
      return new SigningError('CARD_ERROR', `The smartcard or its reader reported an error (${err.ckr ?? 'device error'}). Check the card is inserted properly and try again.`, { cause: err });
    default:
      return new SigningError('CARD_ERROR', `The smartcard reported an error (${err.ckr ?? err.code}).`, { cause: err });
  }
}

async function closeAll(sessions: CardSession[]): Promise<void> {
  for (const session of sessions) {
    await session.close().catch(() => undefined);
  }
}
