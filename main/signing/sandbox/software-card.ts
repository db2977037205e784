import { generateKeyPair, randomBytes, sign as rsaSign, timingSafeEqual, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { CardError, type CardMechanism, type CardModule, type CardSession, type TokenCertificate, type TokenInfo } from '../card/card-token.js';
import { issueCertificate } from './test-certificate.js';

const generateRsa = promisify(generateKeyPair);

export interface SoftwareCardOptions {
  /** The sandbox clinician the card belongs to: its certificate's CN is `<uid>_<NAME>`. */
  user: { uid: string; name: string };
  /** The card's passcode. */
  pin: string;
  /** Wrong passcodes before the card locks, as a real NHS card does after three. */
  tries?: number;
  clock?: () => Date;
}

/** The software test card's passcode when the sandbox policy sets none; the window says what it is. */
export const DEFAULT_SANDBOX_CARD_PIN = '1234';

const SLOT = '0';
const KEY_ID = Buffer.from('01', 'hex');

/**
 * The sandbox's software test card: a token in memory with an RSA-2048 key and a certificate shaped like
 * an NHS card's, issued by a sandbox test CA. It keeps a retry counter and the PKCS#11 passcode flags so
 * the whole card path (tries left, final try, locked) runs without hardware. Its keys are made when it is
 * first used and live only as long as the process; nothing it signs is valid outside the sandbox.
 */
export class SoftwareTestCard implements CardModule {
  public readonly name = 'Sandbox test card (software, not for clinical use)';
  private keys: Promise<{ privateKey: KeyObject; certificate: Buffer; ca: Buffer }> | null = null;
  private triesLeft: number;
  private failedSinceGoodLogin = false;
  private loggedIn = false;
  /** Like a real card's: unique, so two test cards are told apart. */
  private readonly serial = `SANDBOX-${randomBytes(4).toString('hex').toUpperCase()}`;

  constructor(private readonly options: SoftwareCardOptions) {
    this.triesLeft = options.tries ?? 3;
  }

  /** The certificate of the test CA that issued the card's certificate (for checking signatures). */
  public async caCertificate(): Promise<Buffer> {
    return (await this.material()).ca;
  }

  public tokens(): Promise<TokenInfo[]> {
    return Promise.resolve([this.info()]);
  }

  public tokenInfo(slotId: string): Promise<TokenInfo> {
    if (slotId !== SLOT) {
      return Promise.reject(new CardError('CARD_REMOVED', 'The sandbox test card has only one slot.'));
    }
    return Promise.resolve(this.info());
  }

  public async openSession(slotId: string): Promise<CardSession> {
    await this.tokenInfo(slotId);
    const material = await this.material();
    let open = true;
    const ensureOpen = () => {
      if (!open) {
        throw new CardError('SESSION_INVALID', 'The session with the sandbox test card is closed.', { ckr: 'CKR_SESSION_HANDLE_INVALID' });
      }
    };
    return {
      certificates: (): Promise<TokenCertificate[]> => {
        ensureOpen();
        return Promise.resolve([{ id: KEY_ID, label: 'Sandbox signing certificate', der: material.certificate }]);
      },
      hasPrivateKey: (id) => {
        ensureOpen();
        return Promise.resolve(id.equals(KEY_ID));
      },
      login: (pin) => {
        ensureOpen();
        return Promise.resolve(this.login(pin));
      },
      sign: (mechanism: CardMechanism, keyId: Buffer, data: Buffer) => {
        ensureOpen();
        if (!this.loggedIn) {
          return Promise.reject(new CardError('CARD_FAILED', 'The sandbox test card is not logged in.', { ckr: 'CKR_USER_NOT_LOGGED_IN' }));
        }
        if (!keyId.equals(KEY_ID)) {
          return Promise.reject(new CardError('CARD_FAILED', 'No such key on the sandbox test card.', { ckr: 'CKR_KEY_HANDLE_INVALID' }));
        }
        return Promise.resolve(rsaSign(mechanism === 'RS256' ? 'sha256' : 'sha1', data, material.privateKey));
      },
      logout: () => {
        this.loggedIn = false;
        return Promise.resolve();
      },
      close: () => {
        open = false;
        this.loggedIn = false;
        return Promise.resolve();
      },
    };
  }

  /** A software card is never inserted or removed: this only waits. */
  public waitForChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
  }

  public close(): Promise<void> {
    this.loggedIn = false;
    return Promise.resolve();
  }

  private login(pin: Buffer | null): void {
    if (this.triesLeft === 0) {
      throw new CardError('PIN_LOCKED', 'The sandbox test card is locked.', { ckr: 'CKR_PIN_LOCKED' });
    }
    if (pin === null) {
      throw new CardError('CARD_FAILED', 'The sandbox test card has no PIN pad.', { ckr: 'CKR_ARGUMENTS_BAD' });
    }
    const expected = Buffer.from(this.options.pin, 'utf8');
    if (pin.length === expected.length && timingSafeEqual(pin, expected)) {
      this.triesLeft = this.options.tries ?? 3;
      this.failedSinceGoodLogin = false;
      this.loggedIn = true;
      return;
    }
    this.triesLeft -= 1;
    this.failedSinceGoodLogin = true;
    throw this.triesLeft === 0
      ? new CardError('PIN_LOCKED', 'The sandbox test card is now locked.', { ckr: 'CKR_PIN_LOCKED' })
      : new CardError('PIN_INCORRECT', 'The passcode is incorrect.', { ckr: 'CKR_PIN_INCORRECT' });
  }

  private info(): TokenInfo {
    return {
      slotId: SLOT,
      label: 'SANDBOX TEST CARD',
      serialNumber: this.serial,
      manufacturer: 'Signing Companion sandbox',
      flags: {
        pinCountLow: this.failedSinceGoodLogin && this.triesLeft > 1,
        pinFinalTry: this.triesLeft === 1,
        pinLocked: this.triesLeft === 0,
        protectedAuthenticationPath: false,
      },
      // NHS card passcodes are 4 to 8 characters.
      pinLength: { min: 4, max: 8 },
    };
  }

  private material(): Promise<{ privateKey: KeyObject; certificate: Buffer; ca: Buffer }> {
    this.keys ??= this.makeMaterial();
    return this.keys;
  }

  private async makeMaterial(): Promise<{ privateKey: KeyObject; certificate: Buffer; ca: Buffer }> {
    const [ca, card] = await Promise.all([generateRsa('rsa', { modulusLength: 2048 }), generateRsa('rsa', { modulusLength: 2048 })]);
    const now = (this.options.clock ?? (() => new Date()))();
    const notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
    const notAfter = new Date(now.getTime() + 365 * 24 * 3600 * 1000);
    const issuer = { commonName: 'Signing Companion Sandbox Test CA', organisation: 'NOT FOR CLINICAL USE' };
    const caCertificate = issueCertificate({ subject: issuer, issuer, publicKey: ca.publicKey, signingKey: ca.privateKey, notBefore, notAfter, keyUsage: { keyCertSign: true, cRLSign: true }, ca: true });
    const commonName = `${this.options.user.uid}_${this.options.user.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
    const certificate = issueCertificate({
      subject: { commonName, organisation: 'NOT FOR CLINICAL USE' },
      issuer,
      publicKey: card.publicKey,
      signingKey: ca.privateKey,
      notBefore,
      notAfter,
      keyUsage: { nonRepudiation: true },
    });
    return { privateKey: card.privateKey, certificate, ca: caCertificate };
  }
}
