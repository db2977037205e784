import type { EnvironmentName } from './policy-schema.js';

/**
 * What each environment means for the person at the screen.
 *
 * Only `live` signs real prescriptions. Everything else is marked on every screen and every signature, so a
 * test signature can never be mistaken for a clinical one.
 */
export interface EnvironmentInfo {
  name: EnvironmentName;
  label: string;
  clinicalUse: boolean;
  /** Shown in a banner on every screen when the environment is not for clinical use. */
  notice: string | null;
}

const ENVIRONMENT_INFO: Record<EnvironmentName, EnvironmentInfo> = {
  sandbox: {
    name: 'sandbox',
    label: 'Sandbox',
    clinicalUse: false,
    notice:
      'Not for clinical use. Sign-in, smartcard and Signing Service are simulated on this computer; nothing signed here is a valid prescription.',
  },
  int: {
    name: 'int',
    label: 'Integration (INT)',
    clinicalUse: false,
    notice: 'NHS integration test environment: not for clinical use. Use test patients only.',
  },
  live: { name: 'live', label: 'Live', clinicalUse: true, notice: null },
  custom: {
    name: 'custom',
    label: 'Custom',
    clinicalUse: false,
    notice: 'Environment set by your IT team for testing: not for clinical use.',
  },
};

export function describeEnvironment(name: EnvironmentName): EnvironmentInfo {
  return ENVIRONMENT_INFO[name];
}
