import { SigningError } from '../signing/signing-error.js';

export interface SessionUser {
  uid: string;
  name: string;
  roleId: string;
  roleName: string;
}

export interface SessionInfo {
  user: SessionUser;
  /** Authentication assurance level the sign-in achieved (CIS2 reports AAL3 for a smartcard). */
  aal: string;
  expiresAt: string;
}

/** How a clinician is signed in: the sandbox's own, or CIS2 once configured. */
export interface SignInProvider {
  /** Whether sign-in can happen at all here, and why not. */
  readonly available: { ok: true } | { ok: false; reason: string };
  /** Starts sign-in; resolves with the session, or rejects with a SigningError (declined, timeout). */
  signIn(signal: AbortSignal): Promise<SessionInfo>;
}

/**
 * The clinician's session in the tray. One at a time; sign-in requests that arrive together share one
 * sign-in, and a session past its expiry counts as signed out.
 */
export class SessionService {
  private info: SessionInfo | null = null;
  private pending: Promise<SessionInfo> | null = null;
  private readonly listeners = new Set<(info: SessionInfo | null) => void>();

  constructor(
    private readonly provider: SignInProvider,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  public current(): SessionInfo | null {
    if (this.info && Date.parse(this.info.expiresAt) <= this.clock().getTime()) {
      this.set(null);
    }
    return this.info;
  }

  public get signInAvailable(): SignInProvider['available'] {
    return this.provider.available;
  }

  public async signIn(signal: AbortSignal): Promise<SessionInfo> {
    const current = this.current();
    if (current) {
      return current;
    }
    const available = this.provider.available;
    if (!available.ok) {
      throw new SigningError('SIGN_IN_UNAVAILABLE', available.reason);
    }
    this.pending ??= this.provider.signIn(signal).finally(() => {
      this.pending = null;
    });
    const info = await this.pending;
    this.set(info);
    return info;
  }

  public signOut(): void {
    this.set(null);
  }

  public onChange(listener: (info: SessionInfo | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(info: SessionInfo | null): void {
    this.info = info;
    for (const listener of this.listeners) {
      listener(info);
    }
  }
}
