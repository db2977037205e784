import { SigningError } from '../signing/signing-error.js';
import type { SessionInfo, SessionUser, SignInProvider } from './session-service.js';

/** The sandbox clinician when the policy names none; the software test card is issued to them. */
export const DEFAULT_SANDBOX_USER = { uid: '555000000001', name: 'Sandbox Clinician' } as const;

export interface SandboxSignInOptions {
  user: { uid: string; name: string };
  /** In the sandbox with autoApprove, sign-in needs no person (recorded as automatic). */
  automatic: boolean;
  /** Asks the clinician in the window; resolves true when they sign in, false if they cancel. */
  askClinician: (user: SessionUser, signal: AbortSignal) => Promise<boolean>;
  clock?: () => Date;
  /** Sandbox sessions last a working day, like a CIS2 session. */
  lifetimeMs?: number;
}

/**
 * Sign-in for the sandbox: a fixed test clinician, confirmed in the window (or automatically for
 * automation). It stands where CIS2 will, with the same outcome: a user with a UID, a role and an expiry.
 * It proves nothing about a real person, which is why the sandbox is never for clinical use.
 */
export class SandboxSignIn implements SignInProvider {
  public readonly available = { ok: true } as const;

  constructor(private readonly options: SandboxSignInOptions) {}

  public async signIn(signal: AbortSignal): Promise<SessionInfo> {
    const user: SessionUser = {
      uid: this.options.user.uid,
      name: this.options.user.name,
      roleId: `${this.options.user.uid.slice(0, 6)}999001`,
      roleName: 'Sandbox Prescriber (not for clinical use)',
    };
    if (!this.options.automatic && !(await this.options.askClinician(user, signal))) {
      throw new SigningError('DECLINED', 'The clinician did not sign in.');
    }
    const now = (this.options.clock ?? (() => new Date()))().getTime();
    return { user, aal: 'AAL3', expiresAt: new Date(now + (this.options.lifetimeMs ?? 12 * 3600 * 1000)).toISOString() };
  }
}

/** Outside the sandbox until CIS2 sign-in is configured: says so, rather than pretending. */
export class UnconfiguredSignIn implements SignInProvider {
  public readonly available: { ok: false; reason: string };

  constructor(environment: string) {
    this.available = {
      ok: false,
      reason: `Sign-in through NHS CIS2 is not available in this version of Signing Companion, so the ${environment} environment cannot sign yet. Use the sandbox.`,
    };
  }

  public signIn(): Promise<SessionInfo> {
    return Promise.reject(new SigningError('SIGN_IN_UNAVAILABLE', this.available.reason));
  }
}
