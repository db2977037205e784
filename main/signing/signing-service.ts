import { randomUUID } from 'node:crypto';
import type { ConfirmationAnswer, ConfirmationView } from '../../preload/contract.js';
import type { Logger } from '../platform/logger.js';
import { assembleSignature, provenanceSignatureData } from '../prescriptions/signature/xmldsig.js';
import type { SessionService } from '../session/session-service.js';
import type { CardSigner, CardSigning, PasscodeState } from './card/card-signer.js';
import type { ConfirmationBoard } from './confirmation-board.js';
import { FairQueue } from './fair-queue.js';
import { failed, type ReadyItem } from './prepare-items.js';
import type { PreparePool } from './prepare-pool.js';
import type { SignItemResult, SignProgress, SignRequest } from './sign-request.js';
import { SigningError } from './signing-error.js';

export interface SigningCaller {
  clientId: string;
  clientName: string;
}

export interface SigningCall {
  requestId: string | number | null;
  /** Cancellation by the caller, or its connection closing. */
  signal: AbortSignal;
  progress: (progress: SignProgress) => void;
}

export interface SigningAutomation {
  /** Sandbox only: approve every confirmation without a person (logged as automatic). */
  autoApprove: boolean;
  /** Sandbox only: the passcode automation types. */
  cardPin: string | null;
}

export interface SigningServiceOptions {
  /** How long a confirmation waits for the clinician. */
  confirmTimeoutMs?: number;
  /** Requests one application may have waiting. */
  perClientLimit?: number;
  clock?: () => Date;
}

/** How long a PIN pad reader gives the clinician (readers commonly allow 30 to 90 seconds). */
const PIN_PAD_TIMEOUT_MS = 90_000;

function lengthRule(passcode: PasscodeState): string {
  return passcode.minLength === passcode.maxLength ? `${passcode.minLength} characters` : `${passcode.minLength} to ${passcode.maxLength} characters`;
}

interface Job {
  request: SignRequest;
  caller: SigningCaller;
  call: SigningCall;
  resolve: (results: SignItemResult[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Signing requests from every application, one in front of the clinician at a time.
 *
 * Each request is read and prepared, shown, approved with the card's passcode and then signed, item by
 * item. Nothing is signed that was not on the screen when the clinician approved: the bytes signed are
 * the SignedInfo of the very items shown, and the clinician's answer names the items it covers.
 */
export class SigningService {
  private readonly queue: FairQueue<Job>;
  private readonly perClientLimit: number;
  private readonly clock: () => Date;
  private running = false;
  private readonly listeners = new Set<(waiting: number) => void>();

  constructor(
    private readonly session: SessionService,
    private readonly card: CardSigner,
    private readonly board: ConfirmationBoard,
    private readonly preparer: Pick<PreparePool, 'prepare'>,
    private readonly automation: SigningAutomation,
    private readonly logger: Logger,
    private readonly options: SigningServiceOptions = {},
  ) {
    this.perClientLimit = options.perClientLimit ?? 16;
    this.clock = options.clock ?? (() => new Date());
    this.queue = new FairQueue(this.perClientLimit);
  }

  /** Requests waiting behind the one being confirmed. */
  public get waiting(): number {
    return this.queue.size;
  }

  public onWaitingChange(listener: (waiting: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  public sign(request: SignRequest, caller: SigningCaller, call: SigningCall): Promise<SignItemResult[]> {
    if (!this.session.current()) {
      return Promise.reject(new SigningError('NOT_SIGNED_IN', 'No clinician is signed in to Signing Companion. Call session.signIn first.'));
    }
    if (request.signer === 'remote') {
      return Promise.reject(
        new SigningError('SIGNER_UNAVAILABLE', 'Signing through the NHS Signing Service is not available in this version of Signing Companion; use the smartcard.'),
      );
    }
    return new Promise((resolve, reject) => {
      const job: Job = { request, caller, call, resolve, reject };
      if (!this.queue.push(caller.clientId, job)) {
        reject(new SigningError('BUSY', `${caller.clientName} already has ${this.perClientLimit} requests waiting for the clinician; try again when they are done.`));
        return;
      }
      const onAbort = () => {
        if (this.queue.remove(caller.clientId, job)) {
          this.emitWaiting();
          reject(new SigningError('CANCELLED', 'The request was cancelled before the clinician saw it.'));
        }
      };
      call.signal.addEventListener('abort', onAbort, { once: true });
      this.emitWaiting();
      this.tellPositions();
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.running) {
      return;
    }
    this.running = true;
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        this.emitWaiting();
        this.tellPositions();
        try {
          job.resolve(await this.run(job));
        } catch (err) {
          job.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async run(job: Job): Promise<SignItemResult[]> {
    const { request, caller, call } = job;
    if (call.signal.aborted) {
      throw new SigningError('CANCELLED', 'The request was cancelled before the clinician saw it.');
    }
    const session = this.session.current();
    if (!session) {
      throw new SigningError('NOT_SIGNED_IN', 'The clinician signed out before this request was shown. Call session.signIn first.');
    }
    const { ready, refused } = await this.preparer.prepare(request, this.clock());
    const results = new Map<string, SignItemResult>(refused.map((r) => [r.id, r]));
    const ordered = () => request.prescriptions.map((p) => results.get(p.id) ?? failed(p.id, 'CANCELLED', 'Not signed: the request ended first.'));
    if (ready.length === 0) {
      call.progress({ requestId: call.requestId, stage: 'done', done: 0, total: 0 });
      return ordered();
    }

    const card = await this.card.open(session.user);
    try {
      const passcode = await card.passcodeState();
      const view = this.confirmationView(caller, ready, refused, card, passcode);
      this.board.show(view);
      call.progress({ requestId: call.requestId, stage: 'confirming', done: 0, total: ready.length });
      this.logger.info('signing.shown', { client: caller.clientName, confirmation: view.id, items: ready.length, refused: refused.length });

      const answer = await this.approval(view, card, call.signal);
      if (!answer.approve) {
        for (const item of ready) {
          results.set(item.id, failed(item.id, 'DECLINED', 'The clinician declined to sign this prescription.', 'declined'));
        }
        this.logger.info('signing.declined', { client: caller.clientName, confirmation: view.id });
        return ordered();
      }
      const chosen = ready.filter((item) => answer.itemIds.includes(item.id));
      for (const item of ready) {
        if (!answer.itemIds.includes(item.id)) {
          results.set(item.id, failed(item.id, 'DECLINED', 'The clinician chose not to sign this prescription.', 'declined'));
        }
      }
      await this.signItems(chosen, card, results, view, call);
      return ordered();
    } finally {
      await card.end();
      this.board.clear();
    }
  }

  /** Waits until the clinician approves with a passcode the card accepts, or declines. */
  private async approval(view: ConfirmationView, card: CardSigning, signal: AbortSignal): Promise<ConfirmationAnswer> {
    let passcode = view.signer.passcode;
    for (;;) {
      const answer = this.automation.autoApprove ? this.automaticAnswer(view, passcode) : await this.clinicianAnswer(signal);
      if (!answer.approve) {
        return answer;
      }
      if (answer.itemIds.length === 0) {
        this.board.update({ message: 'Choose at least one prescription to sign, or decline.' });
        continue;
      }
      if (answer.cardKey && !card.choose(answer.cardKey)) {
        this.board.update({ message: 'That card is no longer available. Choose again.' });
        continue;
      }
      if (passcode.finalTry && !answer.confirmFinalTry) {
        this.board.update({ message: 'This is the last try before the card locks. Confirm that you want to use it.' });
        continue;
      }
      if (!passcode.pinPad && !answer.passcode) {
        this.board.update({ message: 'Enter your smartcard passcode.' });
        continue;
      }
      const length = Buffer.byteLength(answer.passcode ?? '', 'utf8');
      if (!passcode.pinPad && (length < passcode.minLength || length > passcode.maxLength)) {
        // Checked here, so a passcode the card could never accept does not spend one of its tries.
        if (this.automation.autoApprove) {
          throw new SigningError('PIN_INCORRECT', `The sandbox policy's cardPin is not ${lengthRule(passcode)} long, as the card needs.`);
        }
        this.board.update({ message: `Your smartcard passcode is ${lengthRule(passcode)} long. Nothing was sent to the card.` });
        continue;
      }
      const pin = passcode.pinPad ? null : Buffer.from(answer.passcode ?? '', 'utf8');
      if (passcode.pinPad) {
        // The login blocks until the reader's keypad is done, so the window learns first, and counts down.
        const deadline = new Date(this.clock().getTime() + PIN_PAD_TIMEOUT_MS);
        this.board.update({ stage: 'pin-pad', pinPadDeadline: deadline.toISOString(), message: null });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      try {
        const outcome = await card.login(pin);
        if (outcome.ok) {
          return answer;
        }
        passcode = outcome.state;
        this.board.update({ stage: 'review', pinPadDeadline: null });
        if (this.automation.autoApprove) {
          throw new SigningError('PIN_INCORRECT', `The sandbox policy's cardPin was not accepted by the card: ${outcome.message}`);
        }
        this.board.update({ message: outcome.message, signer: { ...view.signer, chosen: card.certificate.key, passcode } });
      } finally {
        pin?.fill(0);
      }
    }
  }

  private async clinicianAnswer(signal: AbortSignal): Promise<ConfirmationAnswer> {
    const outcome = await this.board.next(signal, this.options.confirmTimeoutMs ?? 5 * 60 * 1000);
    if (outcome.kind === 'timeout') {
      throw new SigningError('TIMEOUT', 'The clinician did not answer within the time allowed. Nothing was signed.');
    }
    if (outcome.kind === 'cancelled') {
      throw new SigningError('CANCELLED', 'The request was cancelled while the clinician was reviewing it. Nothing was signed.');
    }
    return outcome.answer;
  }

  private automaticAnswer(view: ConfirmationView, passcode: PasscodeState): ConfirmationAnswer {
    if (passcode.finalTry) {
      // Automation never spends a card's last try.
      throw new SigningError('PIN_INCORRECT', 'The card is on its last passcode try; sandbox automation will not use it.');
    }
    this.logger.info('signing.approved_automatically', { confirmation: view.id });
    return { approve: true, itemIds: view.items.map((i) => i.id), passcode: this.automation.cardPin, confirmFinalTry: false, cardKey: null };
  }

  /**
   * Signs the approved items in order: the card makes the signatures (in one run where it can), and each
   * is checked with the certificate and wrapped in XML-DSig as it arrives. The first fault stops the
   * batch: what was signed before it is returned, the rest is not.
   */
  private async signItems(items: ReadyItem[], card: CardSigning, results: Map<string, SignItemResult>, view: ConfirmationView, call: SigningCall): Promise<void> {
    const certificate = card.certificate.certificate.der;
    this.board.update({ stage: 'signing', pinPadDeadline: null, message: null, progress: { done: 0, total: items.length } });
    call.progress({ requestId: call.requestId, stage: 'signing', done: 0, total: items.length });
    const bytes = (item: ReadyItem) => Buffer.from(item.prepared.signedInfo, 'utf8');
    let done = 0;
    const finish = (item: ReadyItem, result: SignItemResult) => {
      results.set(item.id, result);
      done++;
      this.board.update({ progress: { done, total: items.length } });
      call.progress({ requestId: call.requestId, stage: 'signing', done, total: items.length, item: { id: item.id, status: result.status } });
    };
    let stop: SigningError | null = null;
    const unchecked: ReadyItem[] = [];
    await card.signSeries(
      items.map((item) => ({ data: bytes(item), algorithm: item.prepared.algorithm })),
      (index, outcome) => {
        const item = items[index] as ReadyItem;
        if (outcome instanceof SigningError) {
          stop = outcome;
          this.logger.warn('signing.stopped', { confirmation: view.id, code: outcome.code });
        } else if (card.verifies(bytes(item), item.prepared.algorithm, outcome)) {
          finish(item, this.signedResult(item, outcome, certificate));
        } else {
          unchecked.push(item);
        }
      },
      call.signal,
    );
    // Broken middleware is caught here, not at EPS: a signature that does not verify is made once more.
    for (const item of unchecked) {
      const again = await card.signAgain(bytes(item), item.prepared.algorithm);
      finish(
        item,
        again
          ? this.signedResult(item, again, certificate)
          : failed(item.id, 'SIGNATURE_INVALID', "Not signed: the card's signature does not verify with its certificate; the card software may be faulty."),
      );
    }
    const ended: SigningError = stop ?? new SigningError('CANCELLED', 'Not signed: the request was cancelled during signing.');
    for (const item of items) {
      if (!results.has(item.id)) {
        finish(item, failed(item.id, ended.code, ended.message));
      }
    }
    call.progress({ requestId: call.requestId, stage: 'done', done: items.length, total: items.length });
    this.logger.info('signing.finished', { confirmation: view.id, signed: [...results.values()].filter((r) => r.status === 'signed').length });
  }

  private signedResult(item: ReadyItem, signature: Buffer, certificate: Buffer): SignItemResult {
    return {
      id: item.id,
      status: 'signed',
      timestamp: item.prepared.timestamp,
      signedInfo: item.prepared.digest,
      signature: provenanceSignatureData(assembleSignature(item.prepared.signedInfo, signature, certificate)),
      certificate: certificate.toString('base64'),
    };
  }

  private confirmationView(caller: SigningCaller, ready: ReadyItem[], refused: SignItemResult[], card: CardSigning, passcode: PasscodeState): ConfirmationView {
    return {
      id: randomUUID(),
      clientName: caller.clientName,
      receivedAt: this.clock().toISOString(),
      items: ready.map((item) => ({ id: item.id, prescription: item.display })),
      refused: refused.map((r) => ({ id: r.id, code: r.error?.code ?? 'FAILED', message: r.error?.message ?? '' })),
      signer: {
        kind: 'card',
        cards: card.candidates.map((c) => ({
          key: c.key,
          tokenLabel: c.token.label,
          holderName: c.facts.holderName,
          uid: c.facts.uid ?? '',
          validUntil: c.facts.notAfter.toISOString(),
        })),
        chosen: card.certificate.key,
        passcode,
      },
      stage: 'review',
      pinPadDeadline: null,
      message: null,
      progress: null,
      automatic: this.automation.autoApprove,
    };
  }

  private tellPositions(): void {
    // Each waiting request learns how many are ahead of it, so an application can say so.
    for (const job of this.queue.all()) {
      job.call.progress({ requestId: job.call.requestId, stage: 'queued', position: this.queue.positionOf(job) + (this.running ? 1 : 0), done: 0, total: job.request.prescriptions.length });
    }
  }

  private emitWaiting(): void {
    for (const listener of this.listeners) {
      listener(this.queue.size);
    }
  }
}
