import path from 'node:path';
import type { AppSnapshot } from '../preload/contract.js';
import { describeEnvironment } from './policy/environment.js';
import type { LoadedPolicy } from './policy/policy-loader.js';
import type { Locations } from './platform/locations.js';
import type { Logger } from './platform/logger.js';
import type { SecretStore } from './platform/secret-store.js';
import type { WindowsIdentity } from './platform/windows-identity.js';
import { pipeEndpoint } from './pipe/endpoint.js';
import { RpcDispatcher } from './pipe/json-rpc.js';
import { connectionState } from './pipe/methods/connection-state.js';
import { getStatusMethod } from './pipe/methods/get-status.js';
import { helloMethod } from './pipe/methods/hello.js';
import { pairMethod } from './pipe/methods/pair.js';
import { PairingApprover } from './pipe/pairing/pairing-approver.js';
import { PairingStore } from './pipe/pairing/pairing-store.js';
import { PipeServer, type PipeLimits } from './pipe/pipe-server.js';
import { PROTOCOL_VERSION } from './pipe/protocol.js';
import { DiscoveryFile } from './run/discovery-file.js';
import { signInMethod } from './pipe/methods/sign-in.js';
import { signMethod } from './pipe/methods/sign.js';
import { DEFAULT_SANDBOX_USER, SandboxSignIn, UnconfiguredSignIn } from './session/sandbox-sign-in.js';
import { SessionService, type SessionInfo } from './session/session-service.js';
import { SignInPrompt } from './session/sign-in-prompt.js';
import { CardModules, defaultModulePaths, type ModulePlan } from './signing/card/card-modules.js';
import { CardPresence } from './signing/card/card-presence.js';
import { CardSigner } from './signing/card/card-signer.js';
import { ConfirmationBoard } from './signing/confirmation-board.js';
import { PreparePool } from './signing/prepare-pool.js';
import { DEFAULT_SANDBOX_CARD_PIN, SoftwareTestCard } from './signing/sandbox/software-card.js';
import { SigningService, type SigningServiceOptions } from './signing/signing-service.js';
import { AppState } from './ui/app-state.js';
import { UI_ARG_SCHEMAS } from './ui/ui-arg-schemas.js';
import { UiBridge, type UiHandlers } from './ui/ui-bridge.js';
import type { UiSurface } from './ui/ui-surface.js';
import { PRODUCT_NAME, PRODUCT_VERSION } from './version.js';

export interface CompanionConfig {
  locations: Locations;
  policy: LoadedPolicy;
  platform: NodeJS.Platform;
  pid: number;
  /** Tighter limits for tests (a frame timeout of seconds, not half a minute). */
  pipeLimits?: Partial<PipeLimits>;
  /** Shorter confirmation timeouts and queue limits for tests. */
  signing?: SigningServiceOptions;
  /** Windows: the user's SID and session, which name the pipe (read by the host at start). */
  windowsIdentity?: WindowsIdentity;
}

/** What a host lends the core: how windows are shown, and where log lines go. */
export interface CompanionHost {
  ui: UiSurface;
  logger: Logger;
  /** Where pairing secrets live: the OS keyring, or a 0600 file where there is none. */
  secrets: SecretStore;
}

/**
 * The composition root: every service, built with plain constructors in dependency order.
 *
 * `start()` brings them up in that order and remembers how to undo each step; `stop()` (and a failed
 * start) undoes them in reverse. Both hosts, Electron and headless, run exactly this.
 */
export class Companion {
  public readonly state: AppState;
  public readonly pipe: PipeServer;
  public readonly bridge: UiBridge;
  public readonly pairingStore: PairingStore;
  public readonly approver: PairingApprover;
  public readonly session: SessionService;
  public readonly signInPrompt: SignInPrompt;
  public readonly board: ConfirmationBoard;
  public readonly signing: SigningService;
  private readonly cardModules: CardModules;
  private readonly preparePool: PreparePool;
  private readonly cardPresence: CardPresence;
  private readonly discovery: DiscoveryFile;
  private readonly undo: { name: string; run: () => Promise<void> }[] = [];

  constructor(
    private readonly config: CompanionConfig,
    private readonly host: CompanionHost,
  ) {
    const { locations, policy, platform } = config;
    const environment = describeEnvironment(policy.policy.environment);
    const endpoint = pipeEndpoint({
      platform,
      home: locations.home,
      runDir: locations.runDir,
      ...(config.windowsIdentity ? { windowsIdentity: config.windowsIdentity } : {}),
    });

    this.state = new AppState(initialSnapshot(environment, endpoint, policy.notices));
    this.pairingStore = new PairingStore(path.join(locations.home, 'paired-clients.json'), host.secrets, host.logger);
    this.approver = new PairingApprover();

    const sandbox = policy.policy.environment === 'sandbox' ? (policy.policy.sandbox ?? { autoApprove: false }) : null;
    const sandboxUser = sandbox?.user ?? DEFAULT_SANDBOX_USER;
    this.signInPrompt = new SignInPrompt();
    this.session = new SessionService(
      sandbox
        ? new SandboxSignIn({ user: sandboxUser, automatic: sandbox.autoApprove, askClinician: (_user, signal) => this.signInPrompt.ask(signal) })
        : new UnconfiguredSignIn(environment.label),
    );
    this.cardModules = new CardModules(cardModulePlan(policy, platform, sandboxUser), host.logger);
    const cardSigner = new CardSigner(this.cardModules, host.logger);
    this.board = new ConfirmationBoard();
    this.preparePool = new PreparePool(host.logger);
    this.signing = new SigningService(
      this.session,
      cardSigner,
      this.board,
      this.preparePool,
      { autoApprove: sandbox?.autoApprove ?? false, cardPin: sandbox?.cardPin ?? (sandbox ? DEFAULT_SANDBOX_CARD_PIN : null) },
      host.logger,
      config.signing,
    );
    this.cardPresence = new CardPresence(
      this.cardModules,
      cardSigner,
      (card) => this.state.update((s) => ({ ...s, signers: { ...s.signers, card } })),
      host.logger,
    );
    const dispatcher = new RpcDispatcher(
      {
        'companion.hello': helloMethod(environment.name, this.pairingStore),
        'companion.pair': pairMethod(policy.policy, this.pairingStore, this.approver, host.logger),
        'session.getStatus': getStatusMethod(() => this.state.current),
        'session.signIn': signInMethod(this.session),
        'signing.sign': signMethod(this.signing, this.pairingStore, host.logger),
      },
      host.logger,
    );
    this.pipe = new PipeServer({
      endpoint,
      platform,
      dispatcher,
      logger: host.logger,
      ...(config.pipeLimits ? { limits: config.pipeLimits } : {}),
      // An application that goes away withdraws its own pending prompt.
      onDisconnect: (connection) => {
        const prompt = connectionState.pendingPrompt(connection);
        if (prompt) {
          this.approver.cancel(prompt);
        }
      },
    });
    this.bridge = new UiBridge(uiHandlers(this), UI_ARG_SCHEMAS, uiEvents(this.state), host.logger);
    this.discovery = new DiscoveryFile(locations.discoveryFile);
  }

  public get discoveryFile(): string {
    return this.discovery.path;
  }

  public async start(): Promise<void> {
    try {
      await this.pairingStore.load();
      this.showPairing();
      const stopWatchingPrompts = this.approver.onChange(() => this.showPairing());
      const stopWatchingStore = this.pairingStore.onChange(() => this.showPairing());
      this.undo.push({
        name: 'pairing-view',
        run: () => {
          stopWatchingPrompts();
          stopWatchingStore();
          return Promise.resolve();
        },
      });
      this.showSession(this.session.current());
      const stopSession = this.session.onChange((info) => this.showSession(info));
      const stopPrompt = this.signInPrompt.onChange(() => this.showSession(this.session.current()));
      const stopBoard = this.board.onChange((current) => this.state.update((s) => ({ ...s, signing: { ...s.signing, current } })));
      const stopWaiting = this.signing.onWaitingChange((waiting) => this.state.update((s) => ({ ...s, signing: { ...s.signing, waiting } })));
      this.undo.push({
        name: 'signing-view',
        run: () => {
          stopSession();
          stopPrompt();
          stopBoard();
          stopWaiting();
          return Promise.resolve();
        },
      });
      this.undo.push({ name: 'prepare-workers', run: () => this.preparePool.close() });
      await this.step('card', () => Promise.resolve(this.cardPresence.start()), async () => {
        await this.cardPresence.stop();
        await this.cardModules.close();
      });
      await this.step('pipe', () => this.pipe.start(), () => this.pipe.stop());
      const unsubscribe = this.pipe.onConnectionsChanged((connections) =>
        this.state.update((s) => ({ ...s, pipe: { ...s.pipe, connections } })),
      );
      this.undo.push({ name: 'pipe-status', run: () => Promise.resolve(void unsubscribe()) });
      await this.step('ui', () => this.host.ui.start(this.bridge), () => this.host.ui.stop());
      await this.step(
        'discovery',
        () =>
          this.discovery.write({
            pid: this.config.pid,
            pipe: this.pipe.endpoint,
            ui: this.host.ui.url,
            protocolVersion: PROTOCOL_VERSION,
          }),
        () => this.discovery.remove(this.config.pid),
      );
      this.host.logger.info('companion.started', {
        environment: this.state.current.environment.name,
        endpoint: this.pipe.endpoint,
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  public async stop(): Promise<void> {
    for (let step = this.undo.pop(); step; step = this.undo.pop()) {
      try {
        await step.run();
      } catch (err) {
        this.host.logger.error('companion.stop_step_failed', { step: step.name, error: String(err) });
      }
    }
  }

  /** Puts the pairing prompts and paired applications into the window's state. */
  private showPairing(): void {
    const paired = this.pairingStore.list().map((c) => ({
      clientId: c.clientId,
      name: c.name,
      version: c.version,
      vendor: c.vendor ?? null,
      pairedAt: c.pairedAt,
      approval: c.approval,
    }));
    this.state.update((s) => ({ ...s, pairing: { prompts: this.approver.pending(), paired } }));
  }

  private showSession(info: SessionInfo | null): void {
    const available = this.session.signInAvailable;
    this.state.update((s) => ({
      ...s,
      session: {
        signedIn: info !== null,
        user: info?.user ?? null,
        expiresAt: info?.expiresAt ?? null,
        signInRequested: this.signInPrompt.asking,
        signInUnavailable: available.ok ? null : available.reason,
      },
    }));
  }

  private async step(name: string, run: () => Promise<void>, undo: () => Promise<void>): Promise<void> {
    await run();
    this.undo.push({ name, run: undo });
  }
}

function uiHandlers(companion: Companion): UiHandlers {
  return {
    'app.getSnapshot': () => Promise.resolve(companion.state.current),
    'pairing.respond': (promptId, approve) => Promise.resolve(companion.approver.respond(promptId, approve)),
    'pairing.revoke': (clientId) => companion.pairingStore.revoke(clientId),
    'signing.respond': (confirmationId, answer) => Promise.resolve(companion.board.respond(confirmationId, answer)),
    'session.signIn': async () => {
      // The clinician's own click is the answer to an application's request, if one is waiting.
      if (companion.signInPrompt.answer(true)) {
        return true;
      }
      await companion.session.signIn(new AbortController().signal);
      return true;
    },
    'session.cancelSignIn': () => Promise.resolve(companion.signInPrompt.answer(false)),
    'session.signOut': () => {
      companion.session.signOut();
      return Promise.resolve(true);
    },
  };
}

function cardModulePlan(policy: LoadedPolicy, platform: NodeJS.Platform, sandboxUser: { uid: string; name: string }): ModulePlan {
  const { environment, pkcs11, sandbox } = policy.policy;
  if (environment === 'sandbox' && !pkcs11) {
    return { kind: 'fixed', modules: [new SoftwareTestCard({ user: sandboxUser, pin: sandbox?.cardPin ?? DEFAULT_SANDBOX_CARD_PIN })] };
  }
  return {
    kind: 'pkcs11',
    paths: pkcs11?.modules ?? defaultModulePaths(platform),
    fromPolicy: pkcs11 !== undefined,
    // Loaded only when a card path is configured, so the native library never loads in the sandbox.
    load: async (path) => (await import('./signing/card/pkcs11-module.js')).Pkcs11Module.load(path),
  };
}

function uiEvents(state: AppState) {
  return {
    subscribe: (listener: (event: 'app.snapshot', payload: AppSnapshot) => void) =>
      state.subscribe((snapshot) => listener('app.snapshot', snapshot)),
  };
}

function initialSnapshot(
  environment: AppSnapshot['environment'],
  endpoint: string,
  notices: string[],
): AppSnapshot {
  return {
    product: { name: PRODUCT_NAME, version: PRODUCT_VERSION },
    environment,
    session: { signedIn: false, user: null, expiresAt: null, signInRequested: false, signInUnavailable: null },
    pipe: { endpoint, connections: 0 },
    signers: {
      card: { available: false, reason: 'Looking for a smartcard…' },
      remote: { available: false, reason: 'Signing through the NHS Signing Service is not available in this version of Signing Companion.' },
    },
    pairing: { prompts: [], paired: [] },
    signing: { current: null, waiting: 0 },
    notices,
  };
}
