import type { CompanionApi } from '../preload/contract';

declare global {
  interface Window {
    /** Provided by the host (Electron preload or headless bridge) before the app starts. */
    readonly companion: CompanionApi;
  }
}
