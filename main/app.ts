import path from 'node:path';
import { z } from 'zod';
import type { AppSnapshot } from '../preload/contract.js';
import { describeEnvironment } from './policy/environment.js';
import type { LoadedPolicy } from './policy/policy-loader.js';
import type { Locations } from './platform/locations.js';
import type { Logger } from './platform/logger.js';
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
import { AppState } from './ui/app-state.js';
import { UiBridge, type UiArgSchemas, type UiHandlers } from './ui/ui-bridge.js';
import type { UiSurface } from './ui/ui-surface.js';
import { PRODUCT_NAME, PRODUCT_VERSION } from './version.js';

export interface CompanionConfig {
  locations: Locations;
  policy: LoadedPolicy;
  platform: NodeJS.Platform;
  pid: number;
  /** Tighter limits for tests (a frame timeout of seconds, not half a minute). */
  pipeLimits?: Partial<PipeLimits>;
}

/** What a host lends the core: how windows are shown, and where log lines go. */
export interface CompanionHost {
  ui: UiSurface;
  logger: Logger;
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
  private readonly discovery: DiscoveryFile;
  private readonly undo: { name: string; run: () => Promise<void> }[] = [];

  constructor(
    private readonly config: CompanionConfig,
    private readonly host: CompanionHost,
  ) {
    const { locations, policy, platform } = config;
    const environment = describeEnvironment(policy.policy.environment);
    const endpoint = pipeEndpoint({ platform, home: locations.home, runDir: locations.runDir });

    this.state = new AppState(initialSnapshot(environment, endpoint, policy.notices));
    this.pairingStore = new PairingStore(path.join(locations.home, 'paired-clients.json'));
    this.approver = new PairingApprover();
    const dispatcher = new RpcDispatcher(
      {
        'companion.hello': helloMethod(environment.name, this.pairingStore),
        'companion.pair': pairMethod(policy.policy, this.pairingStore, this.approver, host.logger),
        'session.getStatus': getStatusMethod(() => this.state.current),
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
    this.bridge = new UiBridge(uiHandlers(this.state, this.approver, this.pairingStore), UI_ARG_SCHEMAS, uiEvents(this.state), host.logger);
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

  private async step(name: string, run: () => Promise<void>, undo: () => Promise<void>): Promise<void> {
    await run();
    this.undo.push({ name, run: undo });
  }
}

const UI_ARG_SCHEMAS: UiArgSchemas = {
  'app.getSnapshot': z.tuple([]),
  'pairing.respond': z.tuple([z.string().uuid(), z.boolean()]),
  'pairing.revoke': z.tuple([z.string().uuid()]),
};

function uiHandlers(state: AppState, approver: PairingApprover, store: PairingStore): UiHandlers {
  return {
    'app.getSnapshot': () => Promise.resolve(state.current),
    'pairing.respond': (promptId, approve) => Promise.resolve(approver.respond(promptId, approve)),
    'pairing.revoke': (clientId) => store.revoke(clientId),
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
    session: { signedIn: false, user: null },
    pipe: { endpoint, connections: 0 },
    // Signers arrive with the smartcard and Signing Service work; until then the status says so plainly.
    signers: {
      card: { available: false, reason: 'Smartcard signing is not available in this version of Signing Companion.' },
      remote: { available: false, reason: 'Signing through the NHS Signing Service is not available in this version of Signing Companion.' },
    },
    pairing: { prompts: [], paired: [] },
    notices,
  };
}
