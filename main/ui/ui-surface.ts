import type { UiBridge } from './ui-bridge.js';

/**
 * How a host shows the clinician's window: Electron windows, or pages served on loopback.
 *
 * The composition root starts the surface after the core is up and hands it the bridge; the surface never
 * reaches into services itself.
 */
export interface UiSurface {
  start(bridge: UiBridge): Promise<void>;
  stop(): Promise<void>;
  /** The address a browser opens (headless host), or null where windows are native (Electron). */
  readonly url: string | null;
}
